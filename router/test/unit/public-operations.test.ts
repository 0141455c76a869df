import { describe, expect, it } from '@jest/globals';
import { parse, type OperationDefinitionNode } from 'graphql';
import { isPublicOperation } from '../../src/auth/public-operations.plugin.js';

const op = (s: string) => parse(s).definitions[0] as OperationDefinitionNode;

describe('operations allowed without a token', () => {
  it.each([
    ['mutation { signIn(email: "a", password: "b") { accessToken } }', true],
    ['mutation { signUp(input: {email: "a", password: "b", displayName: "c"}) { accessToken } __typename }', true],
    ['mutation { refreshSession(refreshToken: "x") { accessToken } }', true],
    ['mutation { signIn(email: "a", password: "b") { accessToken } signOut }', false],
    ['mutation { a: signIn(email: "a", password: "b") { accessToken } ... on Mutation { signOut } }', false],
    ['query { me { id } }', false],
    ['query { signIn }', false],
    ['mutation { signIn(email: "a", password: "b") @include(if: true) { accessToken } }', false],
  ])('%s → %s', (source, expected) => {
    expect(isPublicOperation(op(source))).toBe(expected);
  });
});
