import type { RegistryService } from '../registry/registry.service.js';

/**
 * Where each subgraph is reached: the newest live registration from the registry when there is
 * one (replicas round-robin), else the configured default. Lets the committed supergraph
 * (static mode) still follow services that moved ports.
 */
export class SubgraphRouting {
  private counter = 0;

  constructor(
    private readonly registry: RegistryService,
    private readonly httpDefaults: Record<string, string>,
  ) {}

  graphqlUrl(name: string, fallback: string): string {
    const live = this.live(name);
    return live.length > 0 ? live[this.counter++ % live.length]!.graphqlUrl : fallback;
  }

  httpUrl(name: string): string | undefined {
    const live = this.live(name);
    return live.length > 0 ? live[this.counter++ % live.length]!.httpUrl : this.httpDefaults[name];
  }

  private live(name: string) {
    return this.registry.active().filter((r) => r.name === name);
  }
}
