import { describe, expect, it } from '@jest/globals';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER, codeFromGrpcStatus, fromGrpcError, grpcStatusFromCode, toGrpcError } from '../../src/error-status.js';

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function serviceError(code: status, details: string, trailer?: string): ServiceError {
  const metadata = new Metadata();
  if (trailer) metadata.set(ERROR_CODE_TRAILER, trailer);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('domain code <-> gRPC status', () => {
  it.each([
    ['NOT_FOUND', status.NOT_FOUND],
    ['FORBIDDEN', status.PERMISSION_DENIED],
    ['BAD_USER_INPUT', status.INVALID_ARGUMENT],
    ['UNAUTHENTICATED', status.UNAUTHENTICATED],
    ['CONFLICT', status.ALREADY_EXISTS],
    ['RATE_LIMITED', status.RESOURCE_EXHAUSTED],
    ['QUOTA_EXCEEDED', status.RESOURCE_EXHAUSTED],
    ['INTERNAL_SERVER_ERROR', status.INTERNAL],
    ['SOMETHING_ELSE', status.INTERNAL],
  ])('%s -> %s', (code, expected) => {
    expect(grpcStatusFromCode(code)).toBe(expected);
  });

  it.each(['NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'CONFLICT', 'RATE_LIMITED'])('%s survives the round trip by status alone', (code) => {
    expect(codeFromGrpcStatus(grpcStatusFromCode(code))).toBe(code);
  });

  it('treats an unreachable peer as unavailable, other transport failures as internal', () => {
    expect(codeFromGrpcStatus(status.UNAVAILABLE)).toBe('SERVICE_UNAVAILABLE');
    expect(codeFromGrpcStatus(status.DEADLINE_EXCEEDED)).toBe('SERVICE_UNAVAILABLE');
    expect(codeFromGrpcStatus(status.DATA_LOSS)).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('toGrpcError', () => {
  it('keeps a domain error message and code trailer', () => {
    const out = toGrpcError(new CodedError('NOT_FOUND', 'Track t1 not found'));
    expect(out.code).toBe(status.NOT_FOUND);
    expect(out.details).toBe('Track t1 not found');
    expect(out.metadata?.get(ERROR_CODE_TRAILER)).toEqual(['NOT_FOUND']);
  });

  it('masks anything else and reports it once', () => {
    const seen: unknown[] = [];
    const boom = new Error('db password=hunter2 at /srv/x.ts:12');
    const out = toGrpcError(boom, (err) => seen.push(err));
    expect(out.code).toBe(status.INTERNAL);
    expect(out.details).toBe('Internal error');
    expect(seen).toEqual([boom]);
  });

  it('masks errors whose code is not a domain code (e.g. Node system errors)', () => {
    const out = toGrpcError(Object.assign(new Error('open /srv/music/x.flac: EACCES'), { code: 'EACCES' }));
    expect(out.code).toBe(status.INTERNAL);
    expect(out.details).toBe('Internal error');
  });

  it('answers UNAVAILABLE with the SERVICE_UNAVAILABLE trailer when its own store is unreachable, without the cause', () => {
    const seen: unknown[] = [];
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });
    const out = toGrpcError(cause, (err) => seen.push(err));
    expect(out.code).toBe(status.UNAVAILABLE);
    expect(out.metadata?.get(ERROR_CODE_TRAILER)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(out.details).not.toContain('27017');
    expect(seen).toEqual([cause]);
  });
});

describe('fromGrpcError', () => {
  it('prefers the peer trailer over the status', () => {
    const remote = fromGrpcError(serviceError(status.RESOURCE_EXHAUSTED, 'Monthly quota used', 'QUOTA_EXCEEDED'));
    expect(remote).toEqual({ code: 'QUOTA_EXCEEDED', message: 'Monthly quota used', grpcStatus: status.RESOURCE_EXHAUSTED });
  });

  it('falls back to the status without a trailer', () => {
    expect(fromGrpcError(serviceError(status.NOT_FOUND, 'nope')).code).toBe('NOT_FOUND');
  });

  it('ignores an unknown trailer value', () => {
    expect(fromGrpcError(serviceError(status.PERMISSION_DENIED, 'no', 'WHATEVER')).code).toBe('FORBIDDEN');
  });

  it('handles non-gRPC errors', () => {
    expect(fromGrpcError(new Error('x'))).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'x', grpcStatus: status.UNKNOWN });
  });
});
