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
});
