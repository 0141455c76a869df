import type http from 'node:http';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { WebSocketServer } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Context } from 'graphql-ws';
import type { Authenticate, Authenticated } from '@ytm/auth';
import { clientAddress } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type { ActiveSubscription } from './active-subscription.js';
import { BoundedQueue } from './bounded-queue.js';
import { ACCESS_PROBE, buildEntityQuery } from './entity-query.js';
import { dependsOnUser } from './user-dependence.js';
import { markViewerFields } from './viewer-fields.js';
import type { SubscriptionHub } from './subscription-hub.js';
import { operationCost } from '../limits/operation-cost.js';
import type { CostCheck } from '../limits/limits.plugin.js';
import type { ConnectionLimits } from '../limits/connection-limits.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../limits/remembered-documents.js';
import { SUBSCRIPTION_FIELDS } from './subscription-fields.js';

/** WebSocket close codes this server uses besides graphql-ws's own (documented in the README). */
export const CLOSE_CODES = {
  /** Missing or invalid token in connection_init (contract). */
  FORBIDDEN: 4403,
  /** The access token expired: reconnect with a fresh one. */
  TOKEN_EXPIRED: 4401,
  /** The client read too slowly and its event queue overflowed. */
  SLOW_CONSUMER: 4429,
  /** The supergraph changed: resubscribe. */
  SUPERGRAPH_RELOADED: 4205,
  /** Too many connections for this account or from this address (the reason says which). */
  TOO_MANY_CONNECTIONS: 4430,
} as const;

interface ConnectionState {
  caller?: Authenticated;
  expiryTimer?: NodeJS.Timeout;
  subscriptions: number;
  /** Counted in its account's connections (ConnectionLimits) until it closes. */
  joined?: boolean;
}

type Ctx = Context<Record<string, unknown> | undefined, Extra & { state?: ConnectionState }>;

export interface SubscriptionServerOptions {
  server: http.Server;
  path: string;
  hub: SubscriptionHub;
  /** The current API schema (changes when the supergraph reloads). */
  schema: () => GraphQLSchema | undefined;
  /** The process's auth edge, given the connection_init payload. */
  authenticate: Authenticate;
  /** The same depth/alias/cost rules as HTTP. */
  validationRules: readonly ValidationRule[];
  production: boolean;
  /** Queries and mutations sent over the socket go through the normal HTTP pipeline. */
  executeOperation: (
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    caller: Pick<Authenticated, 'viewer' | 'authorization'>,
  ) => Promise<ExecutionResult>;
  logger: Logger;
  maxSubscriptionsPerConnection: number;
  /** Connections per account and per address, subscriptions per account. */
  connectionLimits: ConnectionLimits;
  trustProxy: boolean;
  queueLimit: number;
  /** How long a subscriber closed as too slow may take to read up to the close frame before the connection is cut. */
  slowConsumerGraceMs: number;
  /** The same cost limit and budgets as HTTP. */
  checkCost: CostCheck;
}

/** An access rule's entity selection, parsed once. */
const accessSelections = new Map<string, SelectionSetNode>();
function accessSelection(selection: string): SelectionSetNode {
  let s = accessSelections.get(selection);
  if (!s) accessSelections.set(selection, (s = (parse(`{ ${selection} }`).definitions[0] as OperationDefinitionNode).selectionSet));
  return s;
}

const error = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

/** graphql-ws on the router's /graphql: auth in connection_init, limits in onSubscribe, events from the hub. */
export function startSubscriptionServer(options: SubscriptionServerOptions): {
  close(code?: number, reason?: string): Promise<void>;
  closeAll(code: number, reason: string): void;
  /** Open WebSocket connections. */
  connections(): number;
} {
  const { hub, logger, connectionLimits: limits } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: 256 * 1024 });
  // Before graphql-ws sees the socket: one address holds at most so many, authenticated or not.
  wss.on('connection', (socket, request) => {
    const release = limits.openSocket(clientAddress(request, options.trustProxy));
    if (!release) {
      socket.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, `Too many connections from this address (at most ${limits.limits.connectionsPerAddress})`);
      return;
    }
    socket.once('close', release);
  });
  const state = (ctx: Ctx): ConnectionState => ((ctx.extra as { state?: ConnectionState }).state ??= { subscriptions: 0 });
  const rules = [...specifiedRules, ...options.validationRules, ...(options.production ? [NoSchemaIntrospectionCustomRule] : [])];
  // Many clients send the same few operations: parse and validate each text once per schema (one
  // longer than MAX_REMEMBERED_QUERY_LENGTH every time: nothing of it is kept).
  const checkedDocuments = new WeakMap<GraphQLSchema, Map<string, { document: DocumentNode } | { errors: GraphQLError[] }>>();
  const parseAndValidate = (schema: GraphQLSchema, query: string): { document: DocumentNode } | { errors: GraphQLError[] } => {
    let cache = checkedDocuments.get(schema);
    if (!cache) checkedDocuments.set(schema, (cache = new Map<string, { document: DocumentNode } | { errors: GraphQLError[] }>()));
    const hit = cache.get(query);
    if (hit) return hit;
    let result: { document: DocumentNode } | { errors: GraphQLError[] };
    try {
      const document = parse(query, { maxTokens: 5_000 });
      const errors = validate(schema, document, rules);
      result = errors.length ? { errors: errors.map((e) => error(e.message, 'GRAPHQL_VALIDATION_FAILED')) } : { document };
    } catch (e) {
      result = { errors: [error((e as Error).message, 'GRAPHQL_VALIDATION_FAILED')] };
    }
    if (query.length > MAX_REMEMBERED_QUERY_LENGTH) return result;
    if (cache.size >= 1_000) cache.delete(cache.keys().next().value!);
    cache.set(query, result);
    return result;
  };

  const disposable = useServer<Record<string, unknown> | undefined, { state?: ConnectionState }>(
    {
      connectionInitWaitTimeout: 5_000,
      onConnect: async (ctx) => {
        // Missing, malformed or invalid: graphql-ws closes with 4403 Forbidden.
        const caller = await options.authenticate(ctx.connectionParams).catch(() => null);
        if (!caller) return false;
        const s = state(ctx);
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        if (!limits.joinUser(caller.viewer.id, s)) {
          const reason = `Too many connections for this account (at most ${limits.limits.connectionsPerUser})`;
          ctx.extra.socket.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, reason);
          return false;
        }
        s.joined = true;
        s.caller = caller;
        const closeWhenExpired = () => ctx.extra.socket.close(CLOSE_CODES.TOKEN_EXPIRED, 'Access token expired');
        s.expiryTimer = setTimeout(closeWhenExpired, Math.max(0, caller.expiresAt.getTime() - Date.now()));
        return true;
      },
      onClose: (ctx) => {
        const s = state(ctx);
        clearTimeout(s.expiryTimer);
        if (s.joined && s.caller) limits.leaveUser(s.caller.viewer.id, s);
      },
      onSubscribe: async (ctx, id, payload) => {
        const s = state(ctx);
        const schema = options.schema();
        const caller = s.caller;
        if (!caller || !schema) return [error('Not ready', 'UNAUTHENTICATED')];
        const checked = parseAndValidate(schema, payload.query);
        if ('errors' in checked) return checked.errors;
        const document = checked.document;
        const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
        const operation = payload.operationName
          ? operations.find((o) => o.name?.value === payload.operationName)
          : operations.length === 1
            ? operations[0]
            : undefined;
        if (!operation) return [error('Pick one operation with operationName', 'GRAPHQL_VALIDATION_FAILED')];
        const variables = payload.variables ?? {};
        try {
          await options.checkCost(
            operationCost(schema, document, operation, variables),
            caller.viewer.id,
            clientAddress(ctx.extra.request, options.trustProxy),
          );
        } catch (e) {
          if (!(e instanceof GraphQLError)) return [error('Rejected', 'GRAPHQL_VALIDATION_FAILED')];
          // `http` is the HTTP answer's status and headers, nothing a WebSocket client reads.
          const { http: _http, ...extensions } = e.extensions;
          return [new GraphQLError(e.message, { extensions })];
        }
        if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: variables,
            contextValue: { caller, operation },
          };
        }
        if (s.subscriptions >= options.maxSubscriptionsPerConnection) {
          return [error(`At most ${options.maxSubscriptionsPerConnection} subscriptions per connection`, 'BAD_USER_INPUT')];
        }
        if (!limits.maySubscribe(caller.viewer.id)) {
          const message = `At most ${limits.limits.subscriptionsPerUser} subscriptions per account, over all its connections; end one first`;
          return [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', retryAfter: 1 } })];
        }
        const rootField = operation.selectionSet.selections[0];
        if (rootField?.kind !== Kind.FIELD || !SUBSCRIPTION_FIELDS[rootField.name.value])
          return [error('Unknown subscription field', 'GRAPHQL_VALIDATION_FAILED')];
        const field = SUBSCRIPTION_FIELDS[rootField.name.value]!;
        try {
          field.authorize?.(caller.viewer);
        } catch (e) {
          return [error((e as Error).message, (e as { code?: string }).code ?? 'FORBIDDEN')];
        }
        const fieldDef = schema.getSubscriptionType()?.getFields()[rootField.name.value];
        const args = fieldDef ? getArgumentValues(fieldDef, rootField, variables) : {};
        const entityQuery = field.entity
          ? buildEntityQuery(document, operation, rootField, field.entity, {
              probeWhenUnselected: field.requireEntity === true,
              ...(field.access ? { access: accessSelection(field.access.selection) } : {}),
            })
          : undefined;
        // Fetches are shared by subscribers whose results cannot differ: same operation and
        // variables, and the same user unless the selection reads nothing user-dependent (and
        // every user may read the entity, or its access rule is applied to each subscriber).
        // `Track.liked` does not stop the sharing when the hub can read likes for all at once.
        const eligible = field.readableByAll === true || field.access !== undefined;
        let query = entityQuery;
        let likedBatched = false;
        if (entityQuery && eligible && hub.likes && dependsOnUser(schema, entityQuery)) {
          const marked = markViewerFields(schema, entityQuery);
          if (marked.replaced && !dependsOnUser(schema, marked.document)) [query, likedBatched] = [marked.document, true];
        }
        const sharedAcrossUsers = eligible && (!query || !dependsOnUser(schema, query));
        const sub: ActiveSubscription = {
          id: `${id}`,
          viewer: caller.viewer,
          authorization: caller.authorization,
          fieldName: rootField.name.value,
          responseKey: rootField.alias?.value ?? rootField.name.value,
          field,
          args,
          schema,
          document,
          operation,
          rootField,
          variables,
          entityQuery: query,
          likedBatched,
          shareKey: `${sharedAcrossUsers ? '*' : caller.viewer.id}\n${payload.query}\n${JSON.stringify(variables)}\n${payload.operationName ?? ''}`,
          sharedAcrossUsers,
          queue: new BoundedQueue<ExecutionResult>(options.queueLimit, () => {
            hub.remove(sub);
            s.subscriptions -= 1;
          }),
          onOverflow: () => {
            logger.warn({ userId: caller.viewer.id }, 'closing slow subscriber');
            const socket = ctx.extra.socket;
            socket.close(CLOSE_CODES.SLOW_CONSUMER, 'Slow consumer: event queue overflowed');
            // A client that reads nothing never completes the close handshake: cut it after a grace period.
            setTimeout(() => socket.terminate(), options.slowConsumerGraceMs).unref();
          },
        };
        // Reserved now, not in subscribe(): concurrent subscribe messages must all see the count.
        s.subscriptions += 1;
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue: { sub, conn: s } };
      },
      subscribe: async (args) => {
        const { sub } = args.contextValue as { sub: ActiveSubscription };
        // Access is checked when subscribing too, not only per event.
        if (sub.field.requireEntity && sub.entityQuery) {
          const probe = await options.executeOperation(sub.entityQuery, { ...sub.variables, __ytmEntityId: sub.args.id }, undefined, sub);
          const visible = probe.data && Object.values(probe.data).some((v) => v !== null);
          if (!visible) {
            (args.contextValue as { conn: ConnectionState }).conn.subscriptions -= 1;
            return { errors: [error('Not found or not yours to read', 'FORBIDDEN')] };
          }
          const accessData = probe.data?.[ACCESS_PROBE];
          if (typeof accessData === 'object' && accessData !== null) sub.accessData = accessData as Record<string, unknown>;
        }
        hub.add(sub);
        return sub.queue;
      },
      execute: async (args) => {
        const { caller } = args.contextValue as { caller: Authenticated };
        return options.executeOperation(args.document, args.variableValues ?? {}, args.operationName ?? undefined, caller);
      },
    },
    wss,
    12_000,
  );

  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
    },
    closeAll(code, reason) {
      for (const client of wss.clients) client.close(code, reason);
    },
    connections: () => wss.clients.size,
  };
}
