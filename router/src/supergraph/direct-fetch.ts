import type { ApolloGateway, Experimental_DidResolveQueryPlanCallback, GraphQLDataSource } from '@apollo/gateway';
import { getVariableValues, OperationTypeNode, type GraphQLSchema } from 'graphql';
import { buildExecutionContext } from 'graphql/execution/execute.js';
import { counter } from '@ytm/metrics';
import type { Prefetched, RouterContext } from '../http/router-context.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../limits/remembered-documents.js';
import { RoutedDataSource } from './routed-data-source.js';
import { directPlanOf, mergeInto, objectsAt, project, RESHAPE, type DirectPlan, type FetchStep } from './direct-plan.js';

type Executor = ApolloGateway['executor'];
type RequestContext = Parameters<Executor>[0];
type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

const directAnswers = counter(
  'ytm_router_direct_fetches_total',
  "Operations the router answered by running their plan's fetches itself (no gateway execution): plan is pass-through (one fetch's data as it is), reshaped (one fetch) or entity-fetches",
  ['plan'],
);

/**
 * At most this many operations are remembered as direct (the oldest is forgotten first), each of a
 * text of at most `MAX_REMEMBERED_QUERY_LENGTH` characters (a plan keeps parts of the client's
 * document, which reach its whole text).
 */
const MAX_REMEMBERED = 2_000;

/** An operation remembered as direct: its plan and the data sources its fetches go to. */
export interface DirectOperation {
  readonly key: string;
  readonly plan: DirectPlan;
  readonly services: Record<string, GraphQLDataSource>;
}

/** A direct run's outcome: the client's data, the gateway's variable errors, or the fetches made before it stopped. */
export type DirectOutcome =
  | { data: Record<string, unknown> }
  /** A pass-through answer as the subgraph wrote it: `{"data":…}` and a newline (asked for with `body`). */
  | { body: Buffer }
  | { errors: NonNullable<ReturnType<typeof getVariableValues>['errors']> }
  | { handOver: Prefetched[] };

/** A fetch a direct run made (its variables as sent). */
interface Made {
  operation: string;
  variables: Record<string, unknown>;
  outcome: Prefetched['outcome'];
}

/** Why a direct run stopped: the fetches made so far go to the gateway's path. */
class HandOver extends Error {
  readonly made: Prefetched[];
  constructor(made: readonly Made[]) {
    super('handed over to the gateway');
    // Variables as JSON only now: RoutedDataSource matches the gateway's fetches by them.
    this.made = made.map((m) => ({ operation: m.operation, variables: JSON.stringify(m.variables), outcome: m.outcome }));
  }
}

/**
 * Direct answers for simple plans. The gateway plans every operation and runs it the first time
 * (`learn`, its `experimental_didResolveQueryPlan`); an operation whose plan is a `DirectPlan` is
 * afterwards run by the router itself: the request's variables checked as the gateway checks
 * them, the same data sources called with the same requests, entity answers merged as the gateway
 * merges them, and the client's answer read from the result in the client's order (or, for one
 * fetch selecting exactly the client's fields, the subgraph's data as it is). A fetch with errors
 * or that failed, or data the gateway's result shaping would change (a value missing, a null where
 * the schema says non-null), sends the request to the gateway's path with the fetches already made
 * (`RoutedDataSource` hands them over, none is sent twice), so error paths, masking and null
 * handling stay the gateway's.
 */
export class DirectFetches {
  private remembered = new Map<string, DirectOperation>();
  private schema: GraphQLSchema | undefined;
  private enabled = true;
  /** Every live instance of each subgraph registered one schema (see `instancesAgree`). */
  private agreed = true;

  /** `handsOver`: whether a data source answers a request's fetch from `RouterContext.prefetched` (so a fallback never fetches twice). */
  constructor(private readonly handsOver: (service: GraphQLDataSource) => boolean) {}

  /** A new supergraph forgets every plan; one that hides types or values (`@inaccessible`) turns direct answers off. */
  schemaChanged(apiSchema: GraphQLSchema, coreSupergraphSdl: string): void {
    this.remembered = new Map();
    this.schema = apiSchema;
    this.enabled = !/@inaccessible\b/.test(coreSupergraphSdl);
  }

  /**
   * Whether every live instance of each subgraph registered the same schema (SUPERGRAPH_MODE=dynamic;
   * always in static mode). While they do not (a rolling upgrade), every request takes the
   * gateway's execution: the supergraph follows the newest registration, and an older instance may
   * answer what it no longer allows (a null where it is now non-null, an enum value it dropped),
   * which only the gateway's shaping of the answer catches.
   */
  instancesAgree(agree: boolean): void {
    this.agreed = agree;
  }

  private get active(): boolean {
    return this.enabled && this.agreed;
  }

  readonly learn: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, serviceMap, operationContext, requestContext }) => {
    if (!this.active || operationContext.schema !== this.schema || requestContext.source.length > MAX_REMEMBERED_QUERY_LENGTH) return;
    const key = keyOf(requestContext);
    if (this.remembered.has(key)) return;
    const plan = directPlanOf(queryPlan, operationContext);
    if (!plan) return;
    const services: Record<string, GraphQLDataSource> = {};
    for (const step of [plan.root, ...plan.groups.flat()]) {
      const service = serviceMap[step.serviceName];
      if (!service || !this.handsOver(service)) return;
      services[step.serviceName] = service;
    }
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { key, plan, services });
  };

  /** Whether `operation` is still remembered (not forgotten for a new supergraph or for room), with the API schema it was planned on. */
  current(operation: DirectOperation): GraphQLSchema | undefined {
    return this.active && this.remembered.get(operation.key) === operation ? this.schema : undefined;
  }

  /**
   * Runs a remembered operation's plan for one request: `provided` are the request's variables as
   * sent, `incoming` what the data sources get as the incoming request's context; `body`: a
   * pass-through plan's answer may be the subgraph's body as it is.
   */
  async answer(operation: DirectOperation, context: RouterContext, incoming: object, provided: Record<string, unknown>, body = false): Promise<DirectOutcome> {
    const { plan, services } = operation;
    if (plan.variableDefinitions.length) {
      const { errors } = getVariableValues(this.schema!, plan.variableDefinitions, provided);
      if (errors) return { errors };
    }
    try {
      const data = await run(plan, services, context, incoming, provided, body);
      directAnswers.inc({ plan: plan.passThrough ? 'pass-through' : plan.groups.length ? 'entity-fetches' : 'reshaped' });
      return Buffer.isBuffer(data) ? { body: data } : { data };
    } catch (err) {
      if (!(err instanceof HandOver)) throw err;
      return { handOver: err.made };
    }
  }

  /**
   * The gateway's executor with direct answers in front of it. A request the router's own HTTP
   * path handed over (its fetches made) goes to the gateway's execution at once; one answered
   * directly names its operation in `RouterContext.direct`. A mutation's request is marked as one
   * (`RouterContext.mutation`) before any of its fetches.
   */
  wrap(gatewayExecutor: Executor): Executor {
    return async (requestContext) => {
      if (!requestContext.operation) {
        // No operation by the request's name: graphql-js's answer (Apollo Server makes it a 400), where the gateway's executor would throw (a 500).
        const built = buildExecutionContext({
          schema: requestContext.schema,
          document: requestContext.document,
          operationName: requestContext.request.operationName,
          variableValues: requestContext.request.variables,
        });
        if (Array.isArray(built)) return { errors: built };
      }
      const context = requestContext.context as RouterContext;
      context.mutation = requestContext.operation?.operation === OperationTypeNode.MUTATION;
      const found = this.remembered.get(keyOf(requestContext));
      if (!found || !this.active || requestContext.schema !== this.schema || context.prefetched) return gatewayExecutor(requestContext);
      const outcome = await this.answer(found, context, requestContext, requestContext.request.variables ?? {});
      if ('data' in outcome) {
        context.direct = found;
        return outcome;
      }
      if ('errors' in outcome) return outcome;
      // Handed over (a body is given only when asked for).
      if ('handOver' in outcome) context.prefetched = outcome.handOver;
      return gatewayExecutor(requestContext);
    };
  }
}

/** Runs the plan's fetches; the client's data (with `body`, a pass-through answer's body when the subgraph's is data only), or a HandOver with the fetches made. */
async function run(
  plan: DirectPlan,
  services: Record<string, GraphQLDataSource>,
  context: RouterContext,
  incoming: object,
  provided: Record<string, unknown>,
  body: boolean,
): Promise<Record<string, unknown> | Buffer> {
  const made: Made[] = [];
  const fetch = async (step: FetchStep, variables: Record<string, unknown>, path: ReadonlyArray<string | number>, asBody = false) => {
    const record: Made = { operation: step.operation, variables, outcome: { error: undefined } };
    made.push(record);
    // As the gateway's executeFetch calls it (`kind` is the value of the gateway's unexported GraphQLDataSourceRequestKind).
    const options = {
      kind: 'incoming operation',
      request: { query: step.operation, variables, operationName: step.operationName },
      incomingRequestContext: incoming,
      context,
      pathInIncomingRequest: path,
    } as unknown as Parameters<GraphQLDataSource['process']>[0];
    const service = services[step.serviceName]!;
    let response: GatewayResponse;
    try {
      if (asBody && service instanceof RoutedDataSource) {
        const answered = await service.processData(options as Parameters<RoutedDataSource['processData']>[0]);
        if ('body' in answered) return answered.body;
        response = answered.response;
      } else response = await service.process(options);
    } catch (error) {
      record.outcome = { error };
      throw new HandOver(made);
    }
    record.outcome = { response };
    const data = response.data;
    if (response.errors?.length || !data || typeof data !== 'object' || Array.isArray(data)) throw new HandOver(made);
    return data;
  };

  const first = await fetch(plan.root, usedVariables(plan.root, provided), [], body && plan.passThrough && plan.groups.length === 0);
  if (Buffer.isBuffer(first)) return first;
  const data = first;
  for (const group of plan.groups) {
    // Representations are read from the data before any fetch of the group merges into it (as the gateway does).
    const prepared = group.map((step) => {
      const entities = objectsAt(data, step.path);
      if (!entities) throw new HandOver(made);
      const representations = entities.map((entity) => {
        if (entity.__typename !== step.typename) throw new HandOver(made);
        const representation: Record<string, unknown> = { __typename: step.typename };
        for (const k of step.keyFields) {
          if (entity[k] === undefined) throw new HandOver(made);
          representation[k] = entity[k];
        }
        return representation;
      });
      return { step, entities, representations };
    });
    // Settled, all of them, before a hand-over: every fetch made goes with it.
    const settled = await Promise.allSettled(
      prepared.map(async ({ step, entities, representations }) => {
        if (entities.length === 0) return;
        const variables = usedVariables(step, provided);
        // The gateway refuses a client variable of that name here; its path says so.
        if (Object.hasOwn(variables, 'representations')) throw new HandOver(made);
        const received = ((await fetch(step, { ...variables, representations }, step.path)) as Record<string, unknown>)._entities;
        if (!Array.isArray(received) || received.length !== entities.length) throw new HandOver(made);
        for (let i = 0; i < entities.length; i++) {
          const entity = received[i] as unknown;
          if (!entity || typeof entity !== 'object' || Array.isArray(entity)) throw new HandOver(made);
          mergeInto(entities[i]!, entity as Record<string, unknown>);
        }
      }),
    );
    if (settled.some((r) => r.status === 'rejected')) throw new HandOver(made);
  }
  if (plan.passThrough) return data;
  const answer = project(data, plan.shape);
  if (answer === RESHAPE) throw new HandOver(made);
  return answer;
}

/** The request's variables a fetch uses, as the gateway passes them (as sent, those given). */
function usedVariables(step: FetchStep, provided: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of step.variableUsages) if (Object.hasOwn(provided, name) && provided[name] !== undefined) out[name] = provided[name];
  return out;
}

function keyOf(requestContext: RequestContext): string {
  return `${requestContext.queryHash}\n${requestContext.request.operationName ?? ''}`;
}
