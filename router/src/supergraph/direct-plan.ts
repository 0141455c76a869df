import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import {
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationTypeNode,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  TypeNameMetaFieldDef,
} from 'graphql';

type PlanInfo = Parameters<Experimental_DidResolveQueryPlanCallback>[0];
type QueryPlan = PlanInfo['queryPlan'];
type OperationContext = PlanInfo['operationContext'];
type PlanNode = NonNullable<QueryPlan['node']>;
type FetchNode = Extract<PlanNode, { kind: 'Fetch' }>;

/** One subgraph fetch of a plan, as the planner wrote it. */
export interface FetchStep {
  serviceName: string;
  operation: string;
  operationName: string | undefined;
  variableUsages: readonly string[];
}

/** An entity fetch: the objects at `path` of the answer so far, sent as `{ __typename, …keyFields }`, merged with what comes back. */
export interface EntityStep extends FetchStep {
  path: readonly string[];
  typename: string;
  keyFields: readonly string[];
}

/** One field of the client's answer: its response key, and how to read its value. */
export interface ShapeField {
  key: string;
  /** `key:field(args)`, for comparing two selections. */
  signature: string;
  type: GraphQLOutputType;
  /** `__typename` of an object type: its name, whatever the data says (as the gateway's result shaping answers it). */
  typename?: string;
  fields?: readonly ShapeField[];
}

/**
 * A plan the router runs itself: a root fetch, then (for queries) entity fetches in groups (a
 * group's fetches at once, groups in order), as the gateway would; `shape` is the client's
 * answer, read from the merged data. `passThrough`: the root fetch selects exactly the client's
 * shape and there is nothing to merge, so its data is the answer as it is.
 */
export interface DirectPlan {
  root: FetchStep;
  groups: ReadonlyArray<readonly EntityStep[]>;
  shape: readonly ShapeField[];
  passThrough: boolean;
  /** The client operation's variable definitions: a request's variables are checked against them. */
  variableDefinitions: readonly VariableDefinitionNode[];
}

/**
 * Whether `queryPlan` (planned for the client operation in `operationContext`) can be run without
 * the gateway's execution: a root fetch (no rewrites), optionally followed by entity fetches of
 * object types keyed by leaf fields, and a client operation on object types only, without
 * `@skip`/`@include` or introspection. Anything else stays on the gateway's path.
 */
export function directPlanOf(queryPlan: QueryPlan, operationContext: OperationContext): DirectPlan | undefined {
  const node = queryPlan.node;
  if (!node) return undefined;
  const client = operationContext.operation;
  const kind = client.operation;
  if (kind !== OperationTypeNode.QUERY && kind !== OperationTypeNode.MUTATION) return undefined;
  if (client.directives?.length) return undefined;
  const schema = operationContext.schema;
  const rootType = kind === OperationTypeNode.QUERY ? schema.getQueryType() : schema.getMutationType();
  if (!rootType) return undefined;

  let rootNode: FetchNode;
  const groups: EntityStep[][] = [];
  if (node.kind === 'Fetch') rootNode = node;
  else if (node.kind === 'Sequence' && kind === OperationTypeNode.QUERY && node.nodes[0]?.kind === 'Fetch' && node.nodes.length > 1) {
    rootNode = node.nodes[0];
    for (const child of node.nodes.slice(1)) {
      const members = child.kind === 'Parallel' ? child.nodes : [child];
      const group: EntityStep[] = [];
      for (const member of members) {
        const step = member.kind === 'Flatten' ? entityStepOf(member.path, member.node) : undefined;
        if (!step) return undefined;
        group.push(step);
      }
      groups.push(group);
    }
  } else return undefined;
  if (!isPlainFetch(rootNode) || rootNode.requires?.length || rootNode.operationKind !== kind) return undefined;
  const fetchOperation = operationOf(rootNode);
  if (!fetchOperation || fetchOperation.operation.directives?.length) return undefined;

  const shape = shapeOf(rootType, [client.selectionSet], operationContext.fragments);
  if (!shape) return undefined;
  // The root fetch must read each variable as the client declared it (type and default).
  const variableUsages = rootNode.variableUsages ?? [];
  const declared = new Map((client.variableDefinitions ?? []).map((d) => [d.variable.name.value, print(d)]));
  const sent = fetchOperation.operation.variableDefinitions ?? [];
  if (sent.length !== variableUsages.length) return undefined;
  for (const definition of sent) {
    const name = definition.variable.name.value;
    if (!variableUsages.includes(name) || declared.get(name) !== print(definition)) return undefined;
  }
  let passThrough = false;
  if (groups.length === 0) {
    const fetched = shapeOf(rootType, [fetchOperation.operation.selectionSet], fetchOperation.fragments);
    passThrough = fetched !== undefined && signatureOf(fetched) === signatureOf(shape);
  }
  return {
    root: { serviceName: rootNode.serviceName, operation: rootNode.operation, operationName: rootNode.operationName, variableUsages },
    groups,
    shape,
    passThrough,
    variableDefinitions: client.variableDefinitions ?? [],
  };
}

function isPlainFetch(fetch: FetchNode): boolean {
  return !fetch.inputRewrites?.length && !fetch.outputRewrites?.length && !fetch.contextRewrites?.length && !fetch.hasDefers;
}

function operationOf(fetch: FetchNode): { operation: OperationDefinitionNode; fragments: Record<string, FragmentDefinitionNode> } | undefined {
  let document: DocumentNode;
  try {
    document = fetch.operationDocumentNode ?? parse(fetch.operation);
  } catch {
    return undefined;
  }
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return undefined;
  const fragments = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return { operation, fragments };
}

/** An entity fetch keyed by leaf fields of one object type (`requires`: `... on T { __typename k… }`). */
function entityStepOf(path: ReadonlyArray<string | number>, fetch: PlanNode): EntityStep | undefined {
  if (fetch.kind !== 'Fetch' || !isPlainFetch(fetch) || fetch.operationKind !== OperationTypeNode.QUERY) return undefined;
  if (!path.every((p): p is string => typeof p === 'string')) return undefined;
  const [fragment, ...more] = fetch.requires ?? [];
  if (!fragment || more.length || fragment.kind !== 'InlineFragment' || !fragment.typeCondition) return undefined;
  const keyFields: string[] = [];
  for (const s of fragment.selections) {
    if (s.kind !== 'Field' || s.alias || s.selections?.length) return undefined;
    keyFields.push(s.name);
  }
  if (keyFields[0] !== '__typename') return undefined;
  return {
    serviceName: fetch.serviceName,
    operation: fetch.operation,
    operationName: fetch.operationName,
    variableUsages: fetch.variableUsages ?? [],
    path,
    typename: fragment.typeCondition,
    keyFields: keyFields.slice(1),
  };
}

/**
 * The answer's shape for a selection on an object type, in GraphQL's CollectFields order: one
 * entry per response key, fragments on the same type merged in place. Undefined for anything the
 * router leaves to the gateway (abstract types, type conditions, directives, introspection).
 */
export function shapeOf(
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): ShapeField[] | undefined {
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
  const out: ShapeField[] = [];
  for (const [key, nodes] of byKey) {
    const name = nodes[0]!.name.value;
    if (name === '__schema' || name === '__type') return undefined;
    const signature = `${key}:${name}${argumentsOf(nodes[0]!)}`;
    if (nodes.some((n) => `${key}:${n.name.value}${argumentsOf(n)}` !== signature)) return undefined;
    if (name === '__typename') {
      if (nodes.some((n) => n.selectionSet)) return undefined;
      out.push({ key, signature, type: TypeNameMetaFieldDef.type, typename: type.name });
      continue;
    }
    const field = type.getFields()[name];
    if (!field) return undefined;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      if (nodes.some((n) => n.selectionSet)) return undefined;
      out.push({ key, signature, type: field.type });
      continue;
    }
    if (!isObjectType(named)) return undefined;
    const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => s !== undefined);
    if (sets.length !== nodes.length) return undefined;
    const fields = shapeOf(named, sets, fragments);
    if (!fields) return undefined;
    out.push({ key, signature, type: field.type, fields });
  }
  return out;
}

function argumentsOf(field: FieldNode): string {
  if (!field.arguments?.length) return '';
  return `(${field.arguments
    .map((a) => `${a.name.value}:${print(a.value)}`)
    .sort()
    .join(',')})`;
}

function signatureOf(shape: readonly ShapeField[]): string {
  return shape.map((f) => (f.fields ? `${f.signature}{${signatureOf(f.fields)}}` : f.signature)).join(' ');
}

/** The objects at `path` of `data` (`@` steps into every element of a list); undefined if the data does not have that form. */
export function objectsAt(data: unknown, path: readonly string[]): Record<string, unknown>[] | undefined {
  const out: Record<string, unknown>[] = [];
  const walk = (value: unknown, at: number): boolean => {
    if (value === null) return true;
    if (at === path.length) {
      if (typeof value !== 'object' || Array.isArray(value)) return false;
      out.push(value as Record<string, unknown>);
      return true;
    }
    if (path[at] === '@') return Array.isArray(value) && value.every((v) => walk(v, at + 1));
    if (typeof value !== 'object' || Array.isArray(value) || value === undefined) return false;
    const next = (value as Record<string, unknown>)[path[at]!];
    return next !== undefined && walk(next, at + 1);
  };
  return walk(data, 0) ? out : undefined;
}

/** Merges `source` into `target` as the gateway's deepMerge does (objects key by key, lists of equal length element by element). */
export function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const from = source[key];
    if (from === undefined) continue;
    const to = target[key];
    if (to && isPlainObject(from) && isPlainObject(to)) mergeInto(to, from);
    else if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
      const fromList = from as unknown[];
      const toList = to as unknown[];
      for (let i = 0; i < fromList.length; i++) {
        const a = toList[i];
        const b = fromList[i];
        if (isPlainObject(a) && isPlainObject(b)) mergeInto(a, b);
        else toList[i] = b;
      }
    } else target[key] = from;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Marks data the gateway's result shaping would answer differently (a value missing, or null where the schema says non-null). */
export const RESHAPE = Symbol('reshape');

/** The client's answer read from merged data in the order of `shape`; RESHAPE if the gateway's result shaping is needed. */
export function project(data: Record<string, unknown>, shape: readonly ShapeField[]): Record<string, unknown> | typeof RESHAPE {
  const out: Record<string, unknown> = {};
  for (const field of shape) {
    if (field.typename !== undefined) {
      out[field.key] = field.typename;
      continue;
    }
    const value = valueOf(data[field.key], field.type, field.fields);
    if (value === RESHAPE) return RESHAPE;
    out[field.key] = value;
  }
  return out;
}

function valueOf(value: unknown, type: GraphQLOutputType, fields: readonly ShapeField[] | undefined): unknown {
  if (value === undefined) return RESHAPE;
  if (isNonNullType(type)) return value === null ? RESHAPE : valueOf(value, type.ofType, fields);
  if (value === null) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) return RESHAPE;
    const items: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = valueOf(value[i], type.ofType, fields);
      if (item === RESHAPE) return RESHAPE;
      items[i] = item;
    }
    return items;
  }
  if (!fields) return value;
  return isPlainObject(value) ? project(value, fields) : RESHAPE;
}
