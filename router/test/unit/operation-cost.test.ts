import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { operationCost } from '../../src/limits/operation-cost.js';

const schema = buildSchema(`
  type Query { tracks(first: Int = 25): TrackConnection! track(id: ID!): Track search(query: String!, limit: Int = 10): [Track!]! }
  type TrackConnection { edges: [Edge!]! totalCount: Int! }
  type Edge { node: Track! }
  type Track { id: ID! title: String! album: Album }
  type Album { title: String! tracks: [Track!]! }
`);
const cost = (q: string, variables = {}) => {
  const doc = parse(q);
  return operationCost(schema, doc, doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, variables);
};

describe('operationCost', () => {
  it('counts fields', () => expect(cost('{ track(id: "1") { id title } }')).toBe(3));
  it('multiplies by first, by a variable, or by the default', () => {
    expect(cost('{ tracks(first: 100) { totalCount } }')).toBe(1 + 100 * 1);
    expect(cost('query($n: Int) { tracks(first: $n) { totalCount } }', { n: 50 })).toBe(1 + 50);
    expect(cost('{ tracks { totalCount } }')).toBe(1 + 25);
    expect(cost('{ search(query: "a") { id } }')).toBe(1 + 10);
  });
  it('compounds nested lists, through fragments', () => {
    const q = '{ tracks(first: 100) { edges { node { ...T } } } } fragment T on Track { album { tracks { title } } }';
    // tracks: 1 + 100 × (edges [counted by first]: 1 + 1 × (node: 1 + (album: 1 + (tracks: 1 + 10 × 1))))
    expect(cost(q)).toBe(1 + 100 * (1 + (1 + (1 + (1 + 10)))));
  });
});
