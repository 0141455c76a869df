import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/** W3C trace context (https://www.w3.org/TR/trace-context/) of the work in progress. */
export interface TraceContext {
  traceId: string;
  /** This service's span: what it passes on as the parent. */
  spanId: string;
  sampled: boolean;
}

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(header: string | undefined): { traceId: string; parentId: string; sampled: boolean } | undefined {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, parentId: m[2]!, sampled: (parseInt(m[3]!, 16) & 1) === 1 };
}

// IDs are cut from a pool of random bytes refilled 4 KiB at a time (as Node does for randomUUID):
// one randomBytes call per ID cost ~20 µs, on every request of every service.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += bytes;
  return pool.toString('hex', offset - bytes, offset);
}

/** Continues the caller's trace with a new span, or starts a trace when there is none. */
export function traceFrom(header: string | undefined): TraceContext {
  const parent = parseTraceparent(header);
  return { traceId: parent?.traceId ?? randomHex(16), spanId: randomHex(8), sampled: parent?.sampled ?? true };
}

export function formatTraceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.sampled ? '01' : '00'}`;
}

/** Runs `fn` with `trace` as the current context (requests, consumed events). */
export function runWithTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** The `traceparent` to send downstream (HTTP header, gRPC metadata, Kafka header), if any. */
export function currentTraceparent(): string | undefined {
  const t = storage.getStore();
  return t ? formatTraceparent(t) : undefined;
}
