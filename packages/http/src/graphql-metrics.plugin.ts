import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { graphqlOperationDuration } from '@ytm/metrics';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/**
 * Records each operation's duration by name, type and outcome. Operation names come from
 * clients, so only the first `maxNames` distinct valid names become labels.
 */
export function graphqlMetricsPlugin<C extends BaseContext>(maxNames = 200): ApolloServerPlugin<C> {
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name || !NAME.test(name)) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= maxNames) return 'other';
    known.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, errors, response }) {
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          graphqlOperationDuration.observe(
            { operation: label(operationName), type: operation?.operation ?? 'invalid', outcome: failed ? 'error' : 'ok' },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}
