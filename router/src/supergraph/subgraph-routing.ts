import type { Registration, RegistryService } from '../registry/registry.service.js';

/**
 * Where each subgraph is reached: a live registration from the registry when there is one
 * (replicas round-robin; an instance that just could not be reached, for GraphQL or for the
 * HTTP relay, is skipped for a few seconds), else the configured default. Lets the committed
 * supergraph (static mode) still follow services that moved ports or scaled out.
 */
export class SubgraphRouting {
  private counter = 0;
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly registry: RegistryService,
    private readonly httpDefaults: Record<string, string>,
    private readonly suspectMs = 5_000,
  ) {}

  /** A live instance's GraphQL URL, else the configured default's (`<NAME>_HTTP_URL`), else `fallback` (the supergraph's routing URL). */
  graphqlUrl(name: string, fallback: string): string {
    const live = this.live(name);
    if (live.length > 0) return live[this.counter++ % live.length]!.graphqlUrl;
    const configured = this.httpDefaults[name];
    return configured ? `${configured.replace(/\/+$/, '')}/graphql` : fallback;
  }

  /** Another instance than the one at `failedUrl`, after marking that one as suspect. */
  alternativeGraphqlUrl(name: string, failedUrl: string): string | undefined {
    return this.alternative(name, failedUrl, 'graphqlUrl');
  }

  httpUrl(name: string): string | undefined {
    const live = this.live(name);
    return live.length > 0 ? live[this.counter++ % live.length]!.httpUrl : this.httpDefaults[name];
  }

  /** Another instance than the one whose HTTP base is `failedUrl`, after marking that one as suspect. */
  alternativeHttpUrl(name: string, failedUrl: string): string | undefined {
    return this.alternative(name, failedUrl, 'httpUrl');
  }

  private alternative(name: string, failedUrl: string, address: 'graphqlUrl' | 'httpUrl'): string | undefined {
    this.suspects.set(failedUrl, Date.now() + this.suspectMs);
    const others = this.live(name).filter((r) => r[address] !== failedUrl);
    return others.length > 0 ? others[this.counter++ % others.length]![address] : undefined;
  }

  private live(name: string): Registration[] {
    const now = Date.now();
    const all = this.registry.active().filter((r) => r.name === name);
    // An instance is suspect when either of its addresses just failed (they are the same server).
    const healthy = all.filter((r) => (this.suspects.get(r.graphqlUrl) ?? 0) < now && (this.suspects.get(r.httpUrl) ?? 0) < now);
    return healthy.length > 0 ? healthy : all;
  }
}
