import { currentTraceparent } from '@ytm/trace';
import { topicOf, type EventCatalog, type EventType } from './catalog.js';
import { createEnvelope } from './envelope.js';

/**
 * The field that holds a document's unpublished events. Writing the change and pushing its
 * event in the same single-document update is what makes the outbox transactional on a store
 * without transactions (FerretDB).
 */
export const OUTBOX_FIELD = '_outbox';
/** Marks a document to be deleted by the relay once its last event is published. */
export const DELETED_FIELD = '_deleted';

/**
 * One pending event. The envelope is stored serialised: its data may hold keys or nested arrays
 * that FerretDB would refuse as document fields.
 */
export interface OutboxEntry {
  id: string;
  topic: string;
  key: string;
  value: string;
  at: Date;
  /** The trace the change happened in, continued by consumers. */
  traceparent?: string;
}

export function outboxEntry<T extends EventType>(source: string, type: T, subject: string, data: EventCatalog[T], now = new Date()): OutboxEntry {
  const envelope = createEnvelope(source, type, subject, data, now);
  const traceparent = currentTraceparent();
  return { id: envelope.id, topic: topicOf(type), key: subject, value: JSON.stringify(envelope), at: now, ...(traceparent ? { traceparent } : {}) };
}

/** Update fragment appending events to a document's outbox in the same write as the change. */
export function pushOutbox(...entries: OutboxEntry[]): { $push: { [OUTBOX_FIELD]: { $each: OutboxEntry[] } } } {
  return { $push: { [OUTBOX_FIELD]: { $each: entries } } };
}
