import type { IncomingMessage } from 'node:http';
import { DomainError } from '@ytm/errors';

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(limit: number) {
    super('BAD_USER_INPUT', `Request body is larger than ${limit} bytes`);
  }
}

/** Reads a request body up to `limit` bytes; stops reading (and fails) past it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
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
