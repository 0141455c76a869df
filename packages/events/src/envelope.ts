import { randomUUID } from 'node:crypto';
import type { EventCatalog, EventType } from './catalog.js';

/** CloudEvents-style envelope (architecture.md, Events). */
export interface Envelope<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  type: T;
  /** The producing service, e.g. `ytm-resource`. */
  source: string;
  time: string;
  /** The entity ID; also the Kafka message key. */
  subject: string;
  data: EventCatalog[T];
}

export function createEnvelope<T extends EventType>(source: string, type: T, subject: string, data: EventCatalog[T], now = new Date()): Envelope<T> {
  return { specversion: '1.0', id: randomUUID(), type, source, time: now.toISOString(), subject, data };
}

/** Parses a message value; undefined when it is not an envelope (such messages are skipped, not retried). */
export function parseEnvelope(value: Buffer | string | null): Envelope | undefined {
  if (value === null) return undefined;
  try {
    const e = JSON.parse(value.toString()) as Partial<Envelope>;
    if (typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.subject !== 'string' || typeof e.time !== 'string') return undefined;
    if (typeof e.data !== 'object' || e.data === null) return undefined;
    return e as Envelope;
  } catch {
    return undefined;
  }
}
