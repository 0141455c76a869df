import type { ApolloGateway, Experimental_DidResolveQueryPlanCallback, GraphQLDataSource } from '@apollo/gateway';
import {
  getNamedType,
  getVariableValues,
  isLeafType,
  isObjectType,
  Kind,
  OperationTypeNode,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { counter } from '@ytm/metrics';
import type { Prefetched, RouterContext } from '../http/router-context.js';

type PlanInfo = Parameters<Experimental_DidResolveQueryPlanCallback>[0];
type QueryPlan = PlanInfo['queryPlan'];
type OperationContext = PlanInfo['operationContext'];
type Executor = ApolloGateway['executor'];
type RequestContext = Parameters<Executor>[0];

/**
 * A query plan that is one fetch from one subgraph whose answer, when it carries no error, is
 * already the client's answer: the fetch selects exactly what the client selected (same response
 * keys in the same order, same fields and arguments, nothing added, every level an object type) and
 * needs no rewrite or entity representations.
 */
export interface DirectFetch {
  serviceName: string;
  /** The subgraph operation, as the planner wrote it. */
  operation: string;
  operationName: string | undefined;
  variableUsages: readonly string[];
  /** The client operation's variable definitions: a request's variables are checked against them. */
  variableDefinitions: readonly VariableDefinitionNode[];
}

/**
 * Whether `queryPlan` (planned for the client operation in `operationContext`) can be answered by
 * passing on its one subgraph's data. Anything the gateway's result shaping would change — an
 * abstract type (its `__typename` and type conditions), `@skip`/`@include`, introspection, a field
 * the planner added or left out, rewrites of keys or values — keeps the plan on the gateway's path.
 */
export function directFetchOf(queryPlan: QueryPlan, operationContext: OperationContext): DirectFetch | undefined {
  const node = queryPlan.node;
  if (!node || node.kind !== 'Fetch') return undefined;
  if (node.requires?.length || node.inputRewrites?.length || node.outputRewrites?.length || node.contextRewrites?.length || node.hasDefers) return undefined;
  const client = operationContext.operation;
  const kind = client.operation;
  if ((kind !== OperationTypeNode.QUERY && kind !== OperationTypeNode.MUTATION) || node.operationKind !== kind) return undefined;
  const schema = operationContext.schema;
  const root = kind === OperationTypeNode.QUERY ? schema.getQueryType() : schema.getMutationType();
  if (!root) return undefined;
  let fetchDocument: DocumentNode;
  try {
    fetchDocument = node.operationDocumentNode ?? parse(node.operation);
  } catch {
    return undefined;
  }
  const fetchOperation = fetchDocument.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!fetchOperation || fetchOperation.directives?.length || client.directives?.length) return undefined;
  const fetchFragments = fragmentsOf(fetchDocument);
  const clientShape = shapeOf(schema, root, [client.selectionSet], operationContext.fragments);
  if (clientShape === undefined || clientShape !== shapeOf(schema, root, [fetchOperation.selectionSet], fetchFragments)) return undefined;
  const variableUsages = node.variableUsages ?? [];
  // The subgraph must read each variable it is sent as the client declared it (type and default).
  const declared = new Map((client.variableDefinitions ?? []).map((d) => [d.variable.name.value, print(d)]));
  const sent = fetchOperation.variableDefinitions ?? [];
  if (sent.length !== variableUsages.length) return undefined;
  for (const definition of sent) {
    const name = definition.variable.name.value;
    if (!variableUsages.includes(name) || declared.get(name) !== print(definition)) return undefined;
  }
  return {
    serviceName: node.serviceName,
    operation: node.operation,
    operationName: node.operationName,
    variableUsages,
    variableDefinitions: client.variableDefinitions ?? [],
  };
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out[d.name.value] = d;
  return out;
}

/**
 * The response shape a selection gives on an object type, as GraphQL's CollectFields orders it:
 * `key:field(args){…}` per response key, fragments on the same type merged in place. Undefined for
 * anything whose answer the gateway would reshape.
 */
function shapeOf(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): string | undefined {
  const byKey = new Map<string, FieldNode[]>();
  const collect = (set: SelectionSetNode, seen: ReadonlySet<string>): boolean => {
    for (const selection of set.selections) {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const list = byKey.get(key);
        if (list) list.push(selection);
        else byKey.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition && selection.typeCondition.name.value !== type.name) return false;
        if (!collect(selection.selectionSet, seen)) return false;
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name) || fragment.directives?.length || fragment.typeCondition.name.value !== type.name) return false;
        if (!collect(fragment.selectionSet, new Set([...seen, name]))) return false;
      }
    }
    return true;
  };
  for (const set of selectionSets) if (!collect(set, new Set())) return undefined;
  const parts: string[] = [];
  for (const [key, nodes] of byKey) {
    const name = nodes[0]!.name.value;
    if (name === '__schema' || name === '__type') return undefined;
    const args = argumentsOf(nodes[0]!);
    if (nodes.some((n) => n.name.value !== name || argumentsOf(n) !== args)) return undefined;
    if (name === '__typename') {
      if (nodes.some((n) => n.selectionSet)) return undefined;
      parts.push(`${key}:__typename`);
      continue;
    }
    const field = type.getFields()[name];
    if (!field) return undefined;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      if (nodes.some((n) => n.selectionSet)) return undefined;
      parts.push(`${key}:${name}${args}`);
      continue;
    }
    if (!isObjectType(named)) return undefined;
    const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => s !== undefined);
    if (sets.length !== nodes.length) return undefined;
    const inner = shapeOf(schema, named, sets, fragments);
    if (inner === undefined) return undefined;
    parts.push(`${key}:${name}${args}{${inner}}`);
  }
  return parts.join(' ');
}

function argumentsOf(field: FieldNode): string {
  if (!field.arguments?.length) return '';
  return `(${field.arguments
    .map((a) => `${a.name.value}:${print(a.value)}`)
    .sort()
    .join(',')})`;
}

const directFetches = counter('ytm_router_direct_fetches_total', 'Operations answered with their one subgraph fetch passed on (no result shaping needed)');

/** At most this many operations are remembered as direct (the oldest is forgotten first). */
const MAX_REMEMBERED = 2_000;

interface Remembered {
  direct: DirectFetch;
  service: GraphQLDataSource;
}

/**
 * Direct answers for one-fetch plans. The gateway plans every operation and runs it the first time
 * (`learn`, its `experimental_didResolveQueryPlan`); an operation whose plan is a `DirectFetch` is
 * afterwards answered by the fetch itself: the request's variables checked as the gateway checks
 * them, the same data source called with the same request, and the subgraph's data returned. An
 * answer with errors (or a failed fetch) goes to the gateway's path with the fetch already made
 * (`RoutedDataSource` hands it over), so paths, masking and null handling of errors stay the gateway's.
 */
export class DirectFetches {
  private remembered = new Map<string, Remembered>();
  private schema: GraphQLSchema | undefined;
  private enabled = true;

  /** `handsOver`: whether a data source answers a request's fetch from `RouterContext.prefetched` (so a fallback never fetches twice). */
  constructor(private readonly handsOver: (service: GraphQLDataSource) => boolean) {}

  /** A new supergraph forgets every plan; one that hides types or values (`@inaccessible`) turns direct answers off. */
  schemaChanged(apiSchema: GraphQLSchema, coreSupergraphSdl: string): void {
    this.remembered = new Map();
    this.schema = apiSchema;
    this.enabled = !/@inaccessible\b/.test(coreSupergraphSdl);
  }

  readonly learn: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, serviceMap, operationContext, requestContext }) => {
    if (!this.enabled || operationContext.schema !== this.schema) return;
    const key = keyOf(requestContext);
    if (this.remembered.has(key)) return;
    const direct = directFetchOf(queryPlan, operationContext);
    const service = direct && serviceMap[direct.serviceName];
    if (!direct || !service || !this.handsOver(service)) return;
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { direct, service });
  };

  /** The gateway's executor with direct answers in front of it. */
  wrap(gatewayExecutor: Executor): Executor {
    return async (requestContext) => {
      const found = this.remembered.get(keyOf(requestContext));
      if (!found || requestContext.schema !== this.schema) return gatewayExecutor(requestContext);
      const { direct, service } = found;
      const provided = requestContext.request.variables;
      if (direct.variableDefinitions.length) {
        const { errors } = getVariableValues(requestContext.schema, direct.variableDefinitions, provided ?? {});
        if (errors) return { errors };
      }
      const variables = Object.create(null) as Record<string, unknown>;
      if (provided)
        for (const name of direct.variableUsages) if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
      let outcome: Prefetched['outcome'];
      try {
        // As the gateway's executeFetch calls it (`kind` is the value of the gateway's unexported GraphQLDataSourceRequestKind).
        const response = await service.process({
          kind: 'incoming operation',
          request: { query: direct.operation, variables, operationName: direct.operationName },
          incomingRequestContext: requestContext,
          context: requestContext.context,
          pathInIncomingRequest: [],
        } as unknown as Parameters<GraphQLDataSource['process']>[0]);
        const data = response.data;
        if (!response.errors?.length && data && typeof data === 'object' && !Array.isArray(data)) {
          directFetches.inc();
          return { data };
        }
        outcome = { response };
      } catch (error) {
        outcome = { error };
      }
      (requestContext.context as RouterContext).prefetched = { operation: direct.operation, outcome };
      return gatewayExecutor(requestContext);
    };
  }
}

function keyOf(requestContext: RequestContext): string {
  return `${requestContext.queryHash}\n${requestContext.request.operationName ?? ''}`;
}
