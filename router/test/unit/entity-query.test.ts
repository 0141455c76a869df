import { describe, expect, it } from '@jest/globals';
import { Kind, parse, print, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { buildEntityQuery } from '../../src/subscriptions/entity-query.js';

const build = (source: string, probe = false) => {
  const doc = parse(source);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const root = op.selectionSet.selections[0] as FieldNode;
  const q = buildEntityQuery(doc, op, root, { field: 'track', queryField: 'track' }, { probeWhenUnselected: probe });
  return q ? print(q) : undefined;
};

describe('buildEntityQuery', () => {
  it('turns the entity selection into an aliased root query with the id variable', () => {
    const q = build('subscription { libraryChanged { kind track { title album { title } liked } } }');
    expect(q).toContain('query YtmSubscriptionEntity($__ytmEntityId: ID!)');
    expect(q).toMatch(/track: track\(id: \$__ytmEntityId\) \{\s+title\s+album \{\s+title\s+\}\s+liked\s+\}/);
  });

  it('keeps aliases, used fragments and used variables only', () => {
    const q = build(`subscription S($n: Int, $unused: String) { libraryChanged { ...F t2: track { id } } }
      fragment F on LibraryChange { kind track { ...T artists(first: $n) { name } } }
      fragment T on Track { title }
      fragment Unused on Track { id }`)!;
    expect(q).toContain('$n: Int');
    expect(q).not.toContain('$unused');
    expect(q).toContain('fragment T on Track');
    expect(q).not.toContain('fragment Unused');
    expect(q).not.toContain('fragment F');
    expect(q).toMatch(/t2: track\(id: \$__ytmEntityId\)/);
    expect(q).toMatch(/track: track\(id: \$__ytmEntityId\)/);
  });

  it('returns nothing when no entity field is selected, or an access probe when asked', () => {
    expect(build('subscription { libraryChanged { kind trackId } }')).toBeUndefined();
    expect(build('subscription { libraryChanged { kind } }', true)).toMatch(/__ytmAccess: track\(id: \$__ytmEntityId\) \{\s+__typename/);
  });
});
