import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentTrace } from '@ytm/trace';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'ticket',
  'privateKey',
  'apiKey',
  'secret',
  'cookie',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.ticket',
  '*.privateKey',
  '*.apiKey',
  '*.secret',
  '*.cookie',
  '*.*.authorization',
  '*.*.*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'variables.password',
  'variables.currentPassword',
  'variables.newPassword',
  'variables.refreshToken',
  'variables.input.password',
  'variables.input.apiKey',
];

const MAX_DEPTH = 4;
const MAX_ITEMS = 20;

/**
 * An error as plain JSON data: type, message, stack, code and the other own fields, its `cause`
 * chain nested, and anything that is not plain data reduced to plain data — a gRPC `Metadata`
 * to its key/value map, a `Map` to an object, a class instance to its own fields, all at most
 * MAX_DEPTH deep. (pino's own serialiser keeps such objects as they are, and redaction cannot
 * walk them: the whole error was logged as "unable to serialize", its cause lost.)
 */
export function serializeError(err: unknown): unknown {
  return toPlain(err, 0, new WeakSet());
}

function toPlain(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return `[${value.constructor?.name ?? 'Object'}]`;
  seen.add(value);
  try {
    if (value instanceof Error) {
      const out: Record<string, unknown> = { type: value.constructor?.name ?? 'Error', message: value.message, stack: value.stack };
      for (const key of Object.keys(value)) out[key] = toPlain((value as unknown as Record<string, unknown>)[key], depth + 1, seen);
      if (value.cause !== undefined) out['cause'] = toPlain(value.cause, depth + 1, seen);
      if (value instanceof AggregateError) out['errors'] = toPlain(value.errors, depth + 1, seen);
      return out;
    }
    if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => toPlain(v, depth + 1, seen));
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    const getMap = (value as { getMap?: unknown }).getMap;
    if (typeof getMap === 'function') return toPlain(getMap.call(value), depth, seen); // @grpc/grpc-js Metadata
    const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries.slice(0, MAX_ITEMS)) {
      const plain = toPlain(v, depth + 1, seen);
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  } catch {
    return `[${value.constructor?.name ?? 'Object'}: unreadable]`;
  } finally {
    seen.delete(value);
  }
}

export interface CreateLoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: NodeJS.WritableStream;
}

/** JSON logger with secrets redacted; one per process, children per request/event. */
export function createLogger({ name, level = 'info', destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    base: { service: name, pid: process.pid },
    serializers: { err: serializeError },
    // Every line logged while handling a request or event carries its W3C trace id.
    mixin: () => {
      const t = currentTrace();
      return t ? { traceId: t.traceId, spanId: t.spanId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
