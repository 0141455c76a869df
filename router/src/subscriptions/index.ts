import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { ApolloGateway } from '@apollo/gateway';
import type { DocumentNode, ExecutionResult, GraphQLSchema, ValidationRule } from 'graphql';
import type { Authenticate, Authenticated } from '@ytm/auth';
import { createKafka, SCAN_COUNTERS, startConsumer, type EventCatalog } from '@ytm/events';
import { GRAPHQL_PATH } from '@ytm/http';
import { labelledGauge } from '@ytm/metrics';
import type { Logger } from '@ytm/logger';
import type { RouterContext } from '../http/router-context.js';
import type { ConnectionLimits } from '../limits/connection-limits.js';
import { SubscriptionHub } from './subscription-hub.js';
import type { LikesLookup } from './likes-client.js';
import { SUBSCRIPTION_TOPICS } from './subscription-fields.js';
import { CLOSE_CODES, startSubscriptionServer } from './ws-server.js';

export { CLOSE_CODES };

/** The schema-only subgraph holding the contract's Subscription fields. */
export const EVENTS_SDL = readFileSync(new URL('../../events.graphql', import.meta.url), 'utf8');

export interface SubscriptionsOptions {
  server: http.Server;
  gateway: ApolloGateway;
  apollo: ApolloServer<RouterContext>;
  authenticate: Authenticate;
  validationRules: readonly ValidationRule[];
  production: boolean;
  kafkaBrokers: string[];
  logger: Logger;
  maxSubscriptionsPerConnection: number;
  connectionLimits: ConnectionLimits;
  /** Whether X-Forwarded-For names the client (TRUST_PROXY): per-address limits key on it. */
  trustProxy: boolean;
  queueLimit: number;
  slowConsumerGraceMs: number;
  checkCost: import('../limits/limits.plugin.js').CostCheck;
  /** Resource's LikesOfUsers (gRPC): `Track.liked` read for every subscriber of an event at once. */
  likes?: LikesLookup;
}

/**
 * GraphQL subscriptions executed by the router: graphql-ws on /graphql, fed by this instance's
 * own Kafka consumer group (every router sees every event, from the latest offset).
 */
export function startSubscriptions(options: SubscriptionsOptions) {
  const { apollo, logger } = options;
  const log = logger.child({ component: 'subscriptions' });

  const executeOperation = async (
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    caller: Pick<Authenticated, 'viewer' | 'authorization'>,
  ): Promise<ExecutionResult> => {
    const requestId = randomUUID();
    const response = await apollo.executeOperation(
      { query: document, variables, ...(operationName ? { operationName } : {}) },
      {
        contextValue: {
          viewer: caller.viewer,
          requestId,
          log: log.child({ requestId }),
          forwardHeaders: { authorization: caller.authorization, 'x-request-id': requestId },
        },
      },
    );
    if (response.body.kind !== 'single') return { errors: [] };
    return response.body.singleResult as ExecutionResult;
  };

  const hub = new SubscriptionHub(
    async (query, variables, subscriber) => executeOperation(query, variables, undefined, subscriber),
    log,
    undefined,
    options.likes,
  );
  let schema: GraphQLSchema | undefined = options.gateway.schema;
  const ws = startSubscriptionServer({
    server: options.server,
    path: GRAPHQL_PATH,
    hub,
    schema: () => schema,
    authenticate: options.authenticate,
    validationRules: options.validationRules,
    production: options.production,
    executeOperation,
    logger: log,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection,
    connectionLimits: options.connectionLimits,
    trustProxy: options.trustProxy,
    queueLimit: options.queueLimit,
    slowConsumerGraceMs: options.slowConsumerGraceMs,
    checkCost: options.checkCost,
  });
  options.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    if (schema) {
      log.info('supergraph changed: closing subscriptions so clients resubscribe');
      hub.endAll();
      ws.closeAll(CLOSE_CODES.SUPERGRAPH_RELOADED, 'Supergraph reloaded: resubscribe');
    }
    schema = apiSchema;
  });
  const consumer = startConsumer({
    kafka: createKafka({ brokers: options.kafkaBrokers, clientId: 'ytm-gateway', logger }),
    groupId: `ytm-gateway-${randomUUID()}`,
    topics: SUBSCRIPTION_TOPICS,
    fromBeginning: false,
    // Ready (joined) means every event from then on reaches this router's subscribers.
    fromJoin: true,
    logger: log,
    handle: async (event, { topic }) => {
      if (event.type === 'library.scan.progress') recordScanProgress(event.data as ScanProgress);
      // Queued, not awaited to the last subscriber: events arriving meanwhile form a burst resolved together.
      await hub.accept(topic, event);
    },
  });
  return {
    hub,
    consumerJoined: () => consumer.joined,
    connections: () => ws.connections(),
    async stop() {
      hub.endAll();
      await ws.close();
      await consumer.stop();
    },
  };
}

type ScanProgress = EventCatalog['library.scan.progress'];
const scanGauge = labelledGauge('ytm_library_scan', 'Progress of the current or last library scan (from library.scan.progress events)', ['measure']);

/** The cluster-wide scan progress, as the router hears it from the library's events. */
function recordScanProgress(p: ScanProgress): void {
  scanGauge.set({ measure: 'running' }, p.state === 'RUNNING' ? 1 : 0);
  for (const measure of SCAN_COUNTERS) scanGauge.set({ measure }, p[measure]);
}
