import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isCompositeType,
  isInterfaceType,
  parse,
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
  /** Arguments that bound a list's length when the schema names none (connections' `first`, search's `limit`). */
  sizeArguments?: string[];
  /** Assumed size of a list field that has neither a size argument nor `@listSize(assumedSize:)` (e.g. Album.tracks). */
  unboundedListSize?: number;
}

/** A field's `@listSize` (the cost spec, https://specs.apollo.dev/cost/v0.1) as the supergraph declares it. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  /** Fields of a sized object (a connection, a search result) whose length the slicing argument is. */
  sizedFields?: string[];
}
/** `@listSize` by `Type.field`. */
export type ListSizes = ReadonlyMap<string, ListSize>;

/** Cost of one write (a Mutation root field), before what it returns. */
export const MUTATION_WEIGHT = 10;

const listSizesBySchema = new WeakMap<GraphQLSchema, ListSizes>();

/** Reads every field's `@listSize` from a supergraph (or any SDL carrying the directive). */
export function listSizesOf(sdl: string): ListSizes {
  const sizes = new Map<string, ListSize>();
  for (const def of parse(sdl).definitions) {
    if (!('fields' in def) || !def.fields || !('name' in def) || !def.name) continue;
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const field of def.fields) {
      const directive = field.directives?.find((d) => d.name.value === 'listSize' || d.name.value === 'cost__listSize');
      if (!directive) continue;
      const size: ListSize = {};
      for (const arg of directive.arguments ?? []) {
        if (arg.name.value === 'assumedSize' && arg.value.kind === Kind.INT) size.assumedSize = Number(arg.value.value);
        const strings = arg.value.kind === Kind.LIST ? arg.value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [];
        if (arg.name.value === 'slicingArguments') size.slicingArguments = strings;
        if (arg.name.value === 'sizedFields') size.sizedFields = strings;
      }
      sizes.set(`${def.name.value}.${field.name.value}`, size);
    }
  }
  return sizes;
}

/** Remembers the list sizes that apply to an API schema (the router calls it on every supergraph load). */
export function learnListSizes(apiSchema: GraphQLSchema, supergraphSdl: string): void {
  listSizesBySchema.set(apiSchema, listSizesOf(supergraphSdl));
}

/**
 * Estimated cost of an operation, after the cost spec's weights (IBM's GraphQL Cost Directives, as
 * Apollo's demand control applies them): every object (or interface or union) an answer may hold
 * costs 1, leaves (scalars, enums) cost 0, and a Mutation root field costs `MUTATION_WEIGHT` more.
 * A list's cost is its element's times its size: the field's size argument (a `@listSize` slicing
 * argument, else `first`/`limit`/`last`; given, a variable — one the request leaves out takes its
 * default in the operation — else the schema default), else its `@listSize(assumedSize:)`, else
 * `unboundedListSize`. A sized field that is not itself a list (a connection, a search result)
 * multiplies its selection, whose `edges`/`nodes` (or `@listSize`'s `sizedFields`) are then not
 * multiplied again. So
 * `tracks(first: 100) { edges { node { album { tracks { title } } } } }` costs
 * 1 + 100 × (1 + (1 + (1 + 10 × 1))) and what a client reads of each object adds nothing.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  options: CostOptions = {},
): number {
  const defaultSizeArgs = options.sizeArguments ?? ['first', 'limit', 'last'];
  const unbounded = options.unboundedListSize ?? 10;
  const listSizes = listSizesBySchema.get(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const argValue = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (Object.hasOwn(variables, name) && variables[name] !== undefined) return variables[name];
      // Left out: the operation's default for it (as execution reads it); without one, the schema's default applies.
      return argValue(operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue);
    }
    return undefined;
  };

  const mutationRoot = schema.getMutationType();
  const CONNECTION_FIELDS = ['edges', 'nodes'];
  // `sized`: the parent field took a size argument, so these list fields of it (a connection's `edges`/`nodes`) are already counted by it.
  const costOf = (set: SelectionSetNode | undefined, parent: GraphQLCompositeType | undefined, seen: Set<string>, sized: readonly string[] = []): number => {
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
      const named = type ? getNamedType(type) : undefined;
      const weight = (named && isCompositeType(named) ? 1 : 0) + (parent && parent === mutationRoot ? MUTATION_WEIGHT : 0);
      const declared = parent ? listSizes?.get(`${parent.name}.${sel.name.value}`) : undefined;
      const isList = type !== undefined && isListType(getNullableType(type));

      let size: number | undefined;
      for (const name of declared?.slicingArguments ?? defaultSizeArgs) {
        const arg = fieldDef?.args.find((a) => a.name === name);
        if (!arg) continue;
        const given = argValue(sel.arguments?.find((a) => a.name.value === name)?.value);
        const n = typeof given === 'number' ? given : typeof arg.defaultValue === 'number' ? arg.defaultValue : undefined;
        if (n !== undefined) size = Math.max(size ?? 1, n, 1);
      }
      const sizedChildren = size !== undefined && !isList ? (declared?.sizedFields ?? CONNECTION_FIELDS) : [];
      const child = sel.selectionSet ? costOf(sel.selectionSet, named as GraphQLCompositeType | undefined, seen, sizedChildren) : 0;
      if (isList) {
        const n = size ?? (sized.includes(sel.name.value) ? 1 : (declared?.assumedSize ?? unbounded));
        total += n * (weight + child);
      } else {
        total += weight + (size ?? 1) * child;
      }
    }
    return total;
  };

  const root =
    operation.operation === OperationTypeNode.MUTATION
      ? mutationRoot
      : operation.operation === OperationTypeNode.SUBSCRIPTION
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  return costOf(operation.selectionSet, root ?? undefined, new Set());
}
