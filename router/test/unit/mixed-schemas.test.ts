import { describe, expect, it } from '@jest/globals';
import type { Registration } from '../../src/registry/registry.service.js';
import { subgraphsWithMixedSchemas } from '../../src/supergraph/dynamic-supergraph.js';

const reg = (name: string, instanceId: string, sdl: string): Registration => ({
  name,
  instanceId,
  sdl,
  graphqlUrl: `http://127.0.0.1/${instanceId}`,
  httpUrl: '',
  version: '1',
  leaseId: instanceId,
  registeredAt: 0,
  lastSeenAt: 0,
});

describe('subgraphsWithMixedSchemas (direct answers pause during a rolling upgrade)', () => {
  it('names each subgraph whose live instances registered more than one schema', () => {
    expect(subgraphsWithMixedSchemas([reg('library', 'a', 'v1'), reg('library', 'b', 'v1'), reg('resource', 'c', 'r1')])).toEqual([]);
    expect(subgraphsWithMixedSchemas([reg('library', 'a', 'v1'), reg('library', 'b', 'v2'), reg('resource', 'c', 'r1'), reg('resource', 'd', 'r1')])).toEqual([
      'library',
    ]);
  });

  it('ignores HTTP-only registrations (no schema) and a subgraph with one instance', () => {
    expect(subgraphsWithMixedSchemas([reg('stream', 'a', 's1'), reg('stream', 'b', ''), reg('subsonic', 'c', '')])).toEqual([]);
    expect(subgraphsWithMixedSchemas([])).toEqual([]);
  });
});
