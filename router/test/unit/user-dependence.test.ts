import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { dependsOnUser } from '../../src/subscriptions/user-dependence.js';

const schema = buildSchema(`
  type Query { track(id: ID!): Track }
  type Track { id: ID! title: String! liked: Boolean! playCount: Int! album: Album }
  type Album { title: String! tracks: [Track!]! }
`);

describe('dependsOnUser', () => {
  it('is false for selections every user reads the same', () => {
    expect(dependsOnUser(schema, parse('query { track(id: "1") { title playCount album { title } } }'))).toBe(false);
  });
  it('is true when a user-dependent field is reached, directly or through fragments', () => {
    expect(dependsOnUser(schema, parse('query { track(id: "1") { title liked } }'))).toBe(true);
    expect(dependsOnUser(schema, parse('query { track(id: "1") { album { tracks { ...L } } } } fragment L on Track { liked }'))).toBe(true);
  });
});
