import {
  buildSchema,
  execute,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { ActiveSubscription } from './active-subscription.js';
import { ACCESS_PROBE, ENTITY_ID_VARIABLE } from './entity-query.js';
import { EVENT_OBJECT } from './subscription-fields.js';
import { LIKED_MARK } from './viewer-fields.js';

/** Runs a planned query through the gateway as the subscriber. */
export type EntityFetcher = (
  query: DocumentNode,
  variables: Record<string, unknown>,
  subscriber: Pick<ActiveSubscription, 'viewer' | 'authorization'>,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

export interface ResolvedEvent {
  result: ExecutionResult;
  /** The subscriber may no longer read the entity: send FORBIDDEN and end the subscription. */
  forbidden: boolean;
  /** What the field's access rule reads, as fetched for this event. */
  access?: Record<string, unknown>;
  /** The entity part as fetched (by response key), for the viewer-dependent values filled in per subscriber. */
  entities?: Record<string, unknown>;
}

interface ExecutionContext {
  entities: Record<string, unknown>;
  entityField: string | undefined;
}

/**
 * The gateway's API schema carries its own field resolvers, which would bypass ours; shaping a
 * payload needs the bare type system (same types, default scalars), built once per schema.
 */
const bareSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
function bare(schema: GraphQLSchema): GraphQLSchema {
  let s = bareSchemas.get(schema);
  if (!s) {
    s = buildSchema(printSchema(schema));
    bareSchemas.set(schema, s);
  }
  return s;
}

/** Event payload objects are read by field name; gateway results by response key (aliases). */
const fieldResolver: GraphQLFieldResolver<unknown, ExecutionContext> = (source, _args, ctx, info) => {
  if (typeof source !== 'object' || source === null) return undefined;
  const record = source as Record<string | symbol, unknown>;
  if (record[EVENT_OBJECT]) {
    if (info.fieldName === ctx.entityField) return ctx.entities[info.path.key] ?? null;
    return record[info.fieldName];
  }
  const value = record[info.path.key];
  // A viewer-dependent field fetched as its track ID (viewer-fields.ts): a placeholder, each subscriber's own value is set after shaping.
  if (value === undefined && typeof record[`${LIKED_MARK}${info.path.key}`] === 'string') return false;
  return value;
};

/**
 * Builds one subscriber group's message for an event: fetches the entity part through the
 * gateway (any field of any subgraph), then shapes the whole selection with graphql-js.
 */
export async function resolveEvent(
  sub: ActiveSubscription,
  payload: Record<string, unknown>,
  entityId: string | null,
  fetchEntities: EntityFetcher,
): Promise<ResolvedEvent> {
  let entities: Record<string, unknown> = {};
  let access: Record<string, unknown> | undefined;
  const errors: GraphQLFormattedError[] = [];
  if (sub.entityQuery && entityId !== null) {
    const r = await fetchEntities(sub.entityQuery, { ...sub.variables, [ENTITY_ID_VARIABLE]: entityId }, sub);
    entities = r.data ?? {};
    for (const e of r.errors ?? []) errors.push({ ...e, ...(e.path ? { path: [sub.responseKey, ...e.path] } : {}) });
    if (sub.field.requireEntity && Object.values(entities).every((v) => v === null || v === undefined) && !r.errors?.length) {
      return { result: {}, forbidden: true };
    }
    const probed = entities[ACCESS_PROBE];
    if (typeof probed === 'object' && probed !== null) access = probed as Record<string, unknown>;
    delete entities[ACCESS_PROBE];
  }
  const rootValue = { [EVENT_OBJECT]: true, [sub.fieldName]: { [EVENT_OBJECT]: true, ...payload } };
  const result = await execute({
    schema: bare(sub.schema),
    document: sub.document,
    operationName: sub.operation.name?.value,
    rootValue,
    variableValues: sub.variables,
    contextValue: { entities, entityField: sub.field.entity?.field } satisfies ExecutionContext,
    fieldResolver,
  });
  // graphql-ws serialises errors with toJSON(): they must be GraphQLError instances.
  const all = [...(result.errors ?? []), ...errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }))];
  return {
    result: { ...(result.data !== undefined ? { data: result.data } : {}), ...(all.length ? { errors: all } : {}) },
    forbidden: false,
    ...(access ? { access } : {}),
    entities,
  };
}
