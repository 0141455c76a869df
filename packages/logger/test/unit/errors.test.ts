import { Writable } from 'node:stream';
import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/index.js';

/** Logs `err` at error and returns the line as parsed JSON. */
function loggedError(err: unknown): Record<string, any> {
  let line = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      line += chunk.toString();
      done();
    },
  });
  createLogger({ name: 'error-test', destination: out }).error({ err }, 'failed');
  return JSON.parse(line) as Record<string, any>;
}

/** The shape @grpc/grpc-js rejects a call with: an Error carrying code, details and a Metadata. */
function grpcError(code: number, details: string, metadata: Metadata): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

describe('logged errors keep what went wrong', () => {
  it('logs a gRPC call error with its code, details and metadata, secrets in the metadata redacted', () => {
    const metadata = new Metadata();
    metadata.set('x-served-by', 'library-1');
    metadata.set('authorization', 'Bearer S3CRET');
    const { err } = loggedError(grpcError(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 3.000s,name resolution: 2.990s', metadata));
    expect(err).toMatchObject({
      type: 'Error',
      message: '4 DEADLINE_EXCEEDED: Deadline exceeded after 3.000s,name resolution: 2.990s',
      code: 4,
      details: 'Deadline exceeded after 3.000s,name resolution: 2.990s',
      metadata: { 'x-served-by': 'library-1', authorization: '[redacted]' },
    });
    expect(err.stack).toContain('grpcError');
  });

  it('logs the cause chain nested', () => {
    const root = grpcError(status.UNAVAILABLE, 'Name resolution failed for target dns:library:50051', new Metadata());
    const { err } = loggedError(new Error('the library did not answer', { cause: new Error('GetTrackFile failed', { cause: root }) }));
    expect(err.message).toBe('the library did not answer');
    expect(err.cause.message).toBe('GetTrackFile failed');
    expect(err.cause.cause).toMatchObject({ code: 14, details: 'Name resolution failed for target dns:library:50051' });
  });

  it('logs an error whose fields refer back to it, a Map, a BigInt and a Buffer', () => {
    const error = Object.assign(new Error('odd'), { size: 10n, body: Buffer.alloc(2048), seenBy: new Map([['a', 1]]), self: undefined as unknown });
    error.self = error;
    const { err } = loggedError(error);
    expect(err).toMatchObject({ message: 'odd', size: '10', body: '[Buffer 2048 bytes]', seenBy: { a: 1 }, self: '[circular]' });
  });

  it('bounds how deep and how wide a field is written', () => {
    const deep = { a: { b: { c: { d: { e: 'too deep' } } } } };
    const wide = Array.from({ length: 1000 }, (_, i) => i);
    const { err } = loggedError(Object.assign(new Error('big'), { deep, wide }));
    expect(JSON.stringify(err.deep)).not.toContain('too deep');
    expect(err.wide).toHaveLength(20);
  });

  it('logs a thrown non-error as it is', () => {
    expect(loggedError('a string').err).toBe('a string');
    expect(loggedError({ code: 'E', message: 'plain' }).err).toEqual({ code: 'E', message: 'plain' });
  });
});
