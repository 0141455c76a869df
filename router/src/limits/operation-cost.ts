import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type GraphQLCompositeType,
} from 'graphql';

export interface CostOptions {
  /** Arguments that bound a list's length (connections' `first`, search's `limit`). */
  sizeArguments?: string[];
  /** Assumed size of a list field that has no size argument (e.g. Album.tracks). */
  unboundedListSize?: number;
}

/**
 * Estimated cost of an operation: every field costs 1, and a field returning a list multiplies
 * the cost of its selection by its `first`/`limit` (argument or variable, else the schema default,
 * else `unboundedListSize`). So `tracks(first: 100) { album { tracks { title } } }` costs
 * 100 × (1 + 10 × 2) and is rejected long before it reaches a subgraph.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  options: CostOptions = {},
): number {
  const sizeArgs = new Set(options.sizeArguments ?? ['first', 'limit', 'last']);
  const unbounded = options.unboundedListSize ?? 10;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const argValue = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return variables[node.name.value];
    return undefined;
  };

  // `sized`: the parent field took a size argument, so a connection's `edges`/`nodes` are already counted by it.
  const costOf = (set: SelectionSetNode | undefined, parent: GraphQLCompositeType | undefined, seen: Set<string>, sized = false): number => {
    let total = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(sel.name.value)) continue; // cycles are a validation error anyway
        const f = fragments.get(sel.name.value);
        if (!f) continue;
        const typed = schema.getType(f.typeCondition.name.value) as GraphQLCompositeType | undefined;
        total += costOf(f.selectionSet, typed, new Set([...seen, sel.name.value]), sized);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typed = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        total += costOf(sel.selectionSet, typed, seen, sized);
        continue;
      }
      if (sel.name.value.startsWith('__')) continue;
      const fieldDef = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
      const type: GraphQLOutputType | undefined = fieldDef?.type;
      let multiplier = 1;
      if (type && isListType(getNullableType(type))) {
        multiplier = sized && (sel.name.value === 'edges' || sel.name.value === 'nodes') ? 1 : unbounded;
      }
      let hasSize = false;
      for (const arg of fieldDef?.args ?? []) {
        if (!sizeArgs.has(arg.name)) continue;
        const given = argValue(sel.arguments?.find((a) => a.name.value === arg.name)?.value);
        const size = typeof given === 'number' ? given : typeof arg.defaultValue === 'number' ? arg.defaultValue : undefined;
        if (size !== undefined) {
          multiplier = Math.max(1, size);
          hasSize = true;
        }
      }
      const named = type ? getNamedType(type) : undefined;
      const child = sel.selectionSet ? costOf(sel.selectionSet, named as GraphQLCompositeType | undefined, seen, hasSize) : 0;
      total += 1 + multiplier * child;
    }
    return total;
  };

  const root =
    operation.operation === OperationTypeNode.MUTATION
      ? schema.getMutationType()
      : operation.operation === OperationTypeNode.SUBSCRIPTION
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  return costOf(operation.selectionSet, root ?? undefined, new Set());
}
