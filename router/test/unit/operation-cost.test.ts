import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { MUTATION_WEIGHT, learnListSizes, listSizesOf, operationCost } from '../../src/limits/operation-cost.js';

const SDL = `
  type Query {
    tracks(first: Int = 25): TrackConnection!
    track(id: ID!): Track
    search(query: String!, limit: Int = 10): SearchResult! @listSize(slicingArguments: ["limit"], sizedFields: ["tracks"])
    randomTracks(count: Int = 10): [Track!]! @listSize(slicingArguments: ["count"])
  }
  type Mutation { like(id: ID!): Track }
  type TrackConnection { edges: [Edge!]! totalCount: Int! }
  type Edge { node: Track! }
  type SearchResult { tracks: [Track!]! }
  type Track { id: ID! title: String! genres: [String!]! album: Album artists: [Artist!]! @listSize(assumedSize: 3) }
  type Album { title: String! tracks: [Track!]! }
  type Artist { name: String! }
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!]) on FIELD_DEFINITION
`;
// The API schema a gateway hands out: the same types without the directive, told its list sizes separately.
const plain = (): GraphQLSchema => buildSchema(SDL.replace(/directive @listSize.*\n/, '').replace(/ @listSize\([^)]*\)/g, ''));
const withSizes = plain();
learnListSizes(withSizes, SDL);
const without = plain();

const costIn =
  (schema: GraphQLSchema) =>
  (q: string, variables = {}) => {
    const doc = parse(q);
    return operationCost(schema, doc, doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, variables);
  };
const cost = costIn(withSizes);

describe('operationCost', () => {
  it('charges objects, not the leaves read of them', () => {
    expect(cost('{ track(id: "1") { id } }')).toBe(1);
    expect(cost('{ track(id: "1") { id title genres } }')).toBe(1);
    expect(cost('{ track(id: "1") { album { title } } }')).toBe(2);
  });
  it('multiplies by first, by a variable, or by the default', () => {
    expect(cost('{ tracks(first: 100) { totalCount } }')).toBe(1);
    expect(cost('{ tracks(first: 100) { edges { node { id } } } }')).toBe(1 + 100 * (1 + 1));
    expect(cost('query($n: Int) { tracks(first: $n) { edges { node { id } } } }', { n: 50 })).toBe(1 + 50 * 2);
    expect(cost('{ tracks { edges { node { id } } } }')).toBe(1 + 25 * 2);
  });
  it("takes a variable the request leaves out at the operation's default, before the schema's", () => {
    const q = 'query($c: Int = 500, $f: Int = 100) { randomTracks(count: $c) { id } tracks(first: $f) { edges { node { id } } } }';
    expect(cost(q)).toBe(500 + (1 + 100 * 2));
    expect(cost(q, { c: 2, f: 3 })).toBe(2 + (1 + 3 * 2));
    expect(cost(q, { c: 2 })).toBe(2 + (1 + 100 * 2));
    // Through a fragment, and a variable named like an Object.prototype member.
    const f = 'query($constructor: Int = 400) { ...Q } fragment Q on Query { tracks(first: $constructor) { edges { node { id } } } }';
    expect(cost(f)).toBe(1 + 400 * 2);
    // Without a default in the operation: the schema's.
    expect(cost('query($n: Int) { randomTracks(count: $n) { id } }')).toBe(10);
  });
  it('compounds nested lists, through fragments', () => {
    const q = '{ tracks(first: 100) { edges { node { ...T } } } } fragment T on Track { album { tracks { title } } }';
    // tracks: 1 + 100 × (edges [sized by first]: 1 + (node: 1 + (album: 1 + (tracks: 10 × 1))))
    expect(cost(q)).toBe(1 + 100 * (1 + (1 + (1 + 10 * 1))));
  });
  it('reads @listSize: slicing arguments, sized fields and assumed sizes', () => {
    expect(cost('{ randomTracks(count: 500) { id } }')).toBe(500);
    expect(cost('{ randomTracks { id } }')).toBe(10);
    expect(cost('{ search(query: "a", limit: 20) { tracks { id } } }')).toBe(1 + 20 * 1);
    expect(cost('{ track(id: "1") { artists { name } } }')).toBe(1 + 3);
    // Without the declarations: the default size arguments only, and 10 for any other list.
    const bare = costIn(without);
    expect(bare('{ randomTracks(count: 500) { id } }')).toBe(10);
    expect(bare('{ track(id: "1") { artists { name } } }')).toBe(1 + 10);
  });
  it('weighs a write', () => {
    expect(cost('mutation { like(id: "1") { id } }')).toBe(MUTATION_WEIGHT + 1);
  });
});

describe('listSizesOf', () => {
  it('collects every field’s @listSize', () => {
    const sizes = listSizesOf(SDL);
    expect(sizes.get('Track.artists')).toEqual({ assumedSize: 3 });
    expect(sizes.get('Query.randomTracks')).toEqual({ slicingArguments: ['count'] });
    expect(sizes.get('Query.search')).toEqual({ slicingArguments: ['limit'], sizedFields: ['tracks'] });
    expect(sizes.has('Query.tracks')).toBe(false);
  });
});
