import type { IncomingMessage } from 'node:http';
import { DomainError } from '@ytm/errors';

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(limit: number) {
    super('BAD_USER_INPUT', `Request body is larger than ${limit} bytes`);
  }
}

/** Reads a request body up to `limit` bytes; stops reading (and fails) past it. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new PayloadTooLargeError(limit));
  if (req.readableEnded) return Promise.resolve('');
  if (req.destroyed) return Promise.reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  // Events rather than an async iterator: this runs for every GraphQL request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done(new PayloadTooLargeError(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(err);
    // The client went away before the body was complete.
    const onClose = () => done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Parses a JSON body; malformed JSON is the client's error. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw Object.assign(new DomainError('BAD_USER_INPUT', 'Malformed JSON body'), { status: 400 });
  }
}
