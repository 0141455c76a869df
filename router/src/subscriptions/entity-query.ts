import {
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { EntityBinding } from './subscription-fields.js';

export const ENTITY_ID_VARIABLE = '__ytmEntityId';
/** Response key of the entity selection the access rule reads (or of a bare probe when the subscriber selected no entity field). */
export const ACCESS_PROBE = '__ytmAccess';

/**
 * Turns the entity part of a subscription into a query the gateway can plan: every occurrence of
 * the payload's entity field (`libraryChanged { track { ... } }`) becomes an aliased root field
 * (`track: track(id: $id) { ... }`), keeping the subscriber's fragments and variables. Each event
 * then costs one planned query, which fetches any field of any subgraph.
 */
export function buildEntityQuery(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rootField: FieldNode,
  binding: EntityBinding,
  options: { probeWhenUnselected: boolean; access?: SelectionSetNode },
): DocumentNode | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const byKey = new Map<string, SelectionNode[]>();
  const collect = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD && s.name.value === binding.field) {
        const key = s.alias?.value ?? s.name.value;
        byKey.set(key, [...(byKey.get(key) ?? []), ...(s.selectionSet?.selections ?? [])]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) collect(s.selectionSet, seen);
      else if (s.kind === Kind.FRAGMENT_SPREAD && !seen.has(s.name.value)) {
        seen.add(s.name.value);
        collect(fragments.get(s.name.value)?.selectionSet, seen);
      }
    }
  };
  collect(rootField.selectionSet, new Set());
  if (byKey.size === 0 && !options.probeWhenUnselected && !options.access) return undefined;
  // What the access rule reads, or, without a rule, whether the subscriber can read the entity at all.
  if (options.access) byKey.set(ACCESS_PROBE, [...options.access.selections]);
  else if (byKey.size === 0) byKey.set(ACCESS_PROBE, [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }]);

  const idArg = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'id' },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_ID_VARIABLE } },
  } as const;
  const selections: FieldNode[] = [...byKey].map(([key, sels]) => ({
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: key },
    name: { kind: Kind.NAME, value: binding.queryField },
    arguments: [idArg],
    selectionSet: { kind: Kind.SELECTION_SET, selections: sels },
  }));

  // Keep only the fragments and variables the entity selections use (unused ones fail validation).
  const usedFragments = new Set<string>();
  const usedVariables = new Set<string>();
  const scan = (node: unknown) =>
    visit(node as FieldNode, {
      FragmentSpread(n) {
        if (!usedFragments.has(n.name.value)) {
          usedFragments.add(n.name.value);
          const f = fragments.get(n.name.value);
          if (f) scan(f);
        }
      },
      Variable(n) {
        usedVariables.add(n.name.value);
      },
    });
  for (const s of selections) scan(s);
  usedVariables.delete(ENTITY_ID_VARIABLE);

  const variableDefinitions: VariableDefinitionNode[] = [
    {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_ID_VARIABLE } },
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
    },
    ...(operation.variableDefinitions ?? []).filter((v) => usedVariables.has(v.variable.name.value)),
  ];
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as never,
        name: { kind: Kind.NAME, value: 'YtmSubscriptionEntity' },
        variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...[...usedFragments].map((n) => fragments.get(n)).filter((f): f is FragmentDefinitionNode => f !== undefined),
    ],
  };
}
