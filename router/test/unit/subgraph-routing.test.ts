import { describe, expect, it } from '@jest/globals';
import { RegistryService } from '../../src/registry/registry.service.js';
import { SubgraphRouting } from '../../src/supergraph/subgraph-routing.js';

describe('SubgraphRouting', () => {
  const registry = () => new RegistryService({ heartbeatIntervalMs: 1_000 });

  it('sends GraphQL to the configured address while a subgraph has not registered (not the supergraph routing URL)', () => {
    const routing = new SubgraphRouting(registry(), { library: 'http://library:4001/' });
    expect(routing.graphqlUrl('library', 'http://127.0.0.1:4001/graphql')).toBe('http://library:4001/graphql');
    expect(routing.httpUrl('library')).toBe('http://library:4001/');
  });

  it('uses the supergraph routing URL when nothing is configured for the subgraph', () => {
    const routing = new SubgraphRouting(registry(), {});
    expect(routing.graphqlUrl('stream', 'http://127.0.0.1:4003/graphql')).toBe('http://127.0.0.1:4003/graphql');
  });

  it('prefers a live registration over the configured address', () => {
    const reg = registry();
    reg.register({
      name: 'library',
      instanceId: 'l1',
      graphqlUrl: 'http://10.0.0.5:4001/graphql',
      httpUrl: 'http://10.0.0.5:4001',
      sdl: 'type Query { a: Int }',
      version: '1',
    });
    const routing = new SubgraphRouting(reg, { library: 'http://library:4001' });
    expect(routing.graphqlUrl('library', 'http://127.0.0.1:4001/graphql')).toBe('http://10.0.0.5:4001/graphql');
  });

  it('sets aside an instance whose HTTP base could not be reached and names another for the retry', () => {
    const reg = registry();
    for (const [id, ip] of [
      ['l1', '10.0.0.5'],
      ['l2', '10.0.0.6'],
    ] as const)
      reg.register({
        name: 'library',
        instanceId: id,
        graphqlUrl: `http://${ip}:4001/graphql`,
        httpUrl: `http://${ip}:4001`,
        sdl: 'type Query { a: Int }',
        version: '1',
      });
    const routing = new SubgraphRouting(reg, {}, 60_000);
    expect(routing.alternativeHttpUrl('library', 'http://10.0.0.5:4001')).toBe('http://10.0.0.6:4001');
    // Set aside for GraphQL too (the same server), until the suspect time passes.
    for (let i = 0; i < 4; i++) {
      expect(routing.httpUrl('library')).toBe('http://10.0.0.6:4001');
      expect(routing.graphqlUrl('library', 'http://x/graphql')).toBe('http://10.0.0.6:4001/graphql');
    }
    // With every instance suspect, requests still go somewhere; no other instance to retry on.
    expect(routing.alternativeHttpUrl('library', 'http://10.0.0.6:4001')).toBe('http://10.0.0.5:4001');
    expect(routing.alternativeHttpUrl('library', 'http://10.0.0.5:4001')).toBe('http://10.0.0.6:4001');
  });
});
