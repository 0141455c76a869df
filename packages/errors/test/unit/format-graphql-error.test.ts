import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { ConflictError, formatGraphQLError, RateLimitedError } from '../../src/index.js';

describe('formatGraphQLError', () => {
  it('passes domain errors with their code and extensions', () => {
    const err = new GraphQLError('x', { originalError: new RateLimitedError('Too many attempts', 30) });
    expect(formatGraphQLError({ message: 'x' }, err)).toEqual({ message: 'Too many attempts', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } });
    const c = new GraphQLError('x', { originalError: new ConflictError('stale version') });
    expect(formatGraphQLError({ message: 'x', path: ['a'] }, c).extensions).toEqual({ code: 'CONFLICT' });
  });

  it('masks unknown errors, logging them once', () => {
    const seen: unknown[] = [];
    const internal = new GraphQLError('boom', { originalError: new Error('db password is hunter2') });
    const out = formatGraphQLError({ message: 'db password is hunter2', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, internal, {
      onInternal: (e) => seen.push(e),
      requestId: 'r1',
    });
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r1' } });
    expect(seen).toHaveLength(1);
  });

  it('keeps client errors but strips stack traces', () => {
    const out = formatGraphQLError(
      { message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at y'] } },
      new GraphQLError('Cannot query field'),
    );
    expect(out).toEqual({ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const parse = formatGraphQLError({ message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, new GraphQLError('Syntax Error'));
    expect(parse.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
