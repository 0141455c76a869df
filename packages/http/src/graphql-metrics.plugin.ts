import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { graphqlOperationDuration } from '@ytm/metrics';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/** Records one operation's duration: its name (as the document names it), type and outcome. */
export type OperationRecorder = (operationName: string | null | undefined, type: string | undefined, failed: boolean, started: bigint) => void;

/**
 * Records each operation's duration by name, type and outcome. Operation names come from
 * clients, so only the first `maxNames` distinct valid names become labels.
 */
export function graphqlOperationRecorder(maxNames = 200): OperationRecorder {
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name || !NAME.test(name)) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= maxNames) return 'other';
    known.add(name);
    return name;
  };
  return (operationName, type, failed, started) =>
    graphqlOperationDuration.observe(
      { operation: label(operationName), type: type ?? 'invalid', outcome: failed ? 'error' : 'ok' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
}

/** Apollo Server's operations recorded by `record` (one recorder per server: its label set). */
export function graphqlMetricsPlugin<C extends BaseContext>(record: OperationRecorder = graphqlOperationRecorder()): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, errors, response }) {
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          record(operationName, operation?.operation, failed, started);
        },
      };
    },
  };
}
