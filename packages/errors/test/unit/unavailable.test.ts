import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { formatGraphQLError, isUnavailableError, ServiceUnavailableError } from '../../src/index.js';

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('unreachable dependencies', () => {
  it('recognises store, gRPC and connection failures by shape', () => {
    expect(isUnavailableError(named('MongoServerSelectionError'))).toBe(true);
    expect(isUnavailableError(named('MongoNetworkError'))).toBe(true);
    expect(isUnavailableError(named('MongooseError', 'Operation `likes.updateOne()` buffering timed out after 3000ms'))).toBe(true);
    const grpcUnavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
      metadata: {},
    });
    expect(isUnavailableError(grpcUnavailable)).toBe(true);
    expect(isUnavailableError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isUnavailableError(named('TimeoutError'))).toBe(true);
  });

  it('does not take bugs or domain failures for outages', () => {
    expect(isUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailableError(named('MongoServerError', 'E11000 duplicate key'))).toBe(false);
    expect(isUnavailableError(named('MongooseError', 'Cast to ObjectId failed'))).toBe(false);
    const grpcNotFound = Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'no', metadata: {} });
    expect(isUnavailableError(grpcNotFound)).toBe(false);
    expect(isUnavailableError('ECONNREFUSED')).toBe(false);
  });

  it('answers SERVICE_UNAVAILABLE with retryAfter instead of INTERNAL_SERVER_ERROR, and logs the cause', () => {
    const seen: unknown[] = [];
    const cause = named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017');
    const out = formatGraphQLError({ message: cause.message, path: ['likeTrack'] }, new GraphQLError(cause.message, { originalError: cause }), {
      onInternal: (e) => seen.push(e),
    });
    expect(out).toEqual({
      message: new ServiceUnavailableError().message,
      path: ['likeTrack'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 },
    });
    expect(out.message).not.toContain('27017');
    expect(seen).toEqual([cause]);
  });
});
