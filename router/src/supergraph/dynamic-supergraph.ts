import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@ytm/logger';
import { counter } from '@ytm/metrics';
import type { Registration, RegistryService } from '../registry/registry.service.js';
import { compose } from './compose.js';

export interface DynamicSupergraphOptions {
  registry: RegistryService;
  logger: Logger;
  /** Names that must all be registered before a supergraph is served. */
  required: string[];
  /** Called after a new supergraph is swapped in (subscriptions close so clients resubscribe). */
  onSwap?: () => void;
  /** Subgraphs served by the router itself (the events subgraph). */
  extraSubgraphs?: Array<{ name: string; url: string; sdl: string }>;
}

/** What became of each changed set of registrations: an operator sees refused registrations here, and tests wait on it. */
const recompositions = counter('ytm_supergraph_recompositions_total', 'Supergraph recompositions after a registration change, by outcome', ['outcome']);

/** The subgraphs whose live instances registered more than one schema (a rolling upgrade under way). */
export function subgraphsWithMixedSchemas(regs: readonly Registration[]): string[] {
  const sdls = new Map<string, Set<string>>();
  for (const r of regs) if (r.sdl !== '') (sdls.get(r.name) ?? sdls.set(r.name, new Set()).get(r.name)!).add(r.sdl);
  return [...sdls].filter(([, set]) => set.size > 1).map(([name]) => name);
}

/**
 * Recomposes the supergraph from registrations at run time (SUPERGRAPH_MODE=dynamic):
 * serialised, validated and health-checked before the swap; on failure the last good one stays.
 */
export function dynamicSupergraph({ registry, logger, required, onSwap, extraSubgraphs = [] }: DynamicSupergraphOptions): SupergraphSdlHook {
  const log = logger.child({ component: 'dynamic-supergraph' });
  return async ({ update, healthCheck }) => {
    let current: string | undefined;
    let queue = Promise.resolve();
    let lastKey = '';

    const build = (regs: readonly Registration[]): string | undefined => {
      // One SDL per subgraph: the newest registration wins.
      const byName = new Map<string, Registration>();
      // HTTP-only services (no SDL) take no part in the supergraph.
      for (const r of regs.filter((x) => x.sdl !== '')) if (!byName.has(r.name) || byName.get(r.name)!.registeredAt < r.registeredAt) byName.set(r.name, r);
      const missing = required.filter((n) => !byName.has(n));
      if (missing.length > 0) {
        log.info({ missing }, 'waiting for subgraphs to register');
        return undefined;
      }
      const subgraphs = [...[...byName.values()].map((r) => ({ name: r.name, url: r.graphqlUrl, sdl: r.sdl })), ...extraSubgraphs].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const key = subgraphs.map((s) => `${s.name}\n${s.sdl}`).join('\n--\n');
      if (key === lastKey) return current;
      const result = compose(subgraphs);
      if (!result.ok) {
        log.error({ errors: result.errors }, 'registrations do not compose; keeping the last good supergraph');
        recompositions.inc({ outcome: 'not_composable' });
        return current;
      }
      lastKey = key;
      return result.supergraphSdl;
    };

    const recompose = (regs: readonly Registration[]): void => {
      queue = queue.then(async () => {
        const next = build(regs);
        if (!next || next === current) return;
        try {
          await healthCheck(next);
        } catch (err) {
          log.error({ err: (err as Error).message }, 'new supergraph failed its health check; keeping the last good one');
          recompositions.inc({ outcome: 'unhealthy' });
          lastKey = '';
          return;
        }
        current = next;
        update(next);
        log.info('supergraph recomposed from registrations');
        recompositions.inc({ outcome: 'swapped' });
        onSwap?.();
      });
    };

    // Wait for the first complete set of registrations.
    current = build(registry.active());
    while (!current) {
      await new Promise((r) => setTimeout(r, 500));
      current = build(registry.active());
    }
    const unsubscribe = registry.onChange((regs) => recompose(regs));
    return { supergraphSdl: current, cleanup: async () => unsubscribe() };
  };
}
