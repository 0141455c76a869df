import type { Collection } from 'mongoose';
import { OUTBOX_FIELD, withDocumentLock } from '@ytm/events';

/**
 * Waits (bounded) until a document has no unpublished events before it is updated in place.
 *
 * FerretDB 1.x applies every update as read, modify, write back the whole document. The outbox
 * relay removes published events with such an update, so a change written to the document while
 * the relay is between its read and its write-back is silently undone, event included (seen in
 * tests: a plan change right after another lost its event). The relay only touches documents
 * whose outbox is not empty, so updating an idle document is safe. When Kafka is down the outbox
 * does not drain and the relay is idle: after `timeoutMs` the update goes ahead anyway.
 */
export async function whenOutboxIdle(collection: Collection, id: string, timeoutMs = 300, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await collection.findOne({ _id: id as never }, { projection: { [OUTBOX_FIELD]: 1 } });
    const pending = (doc?.[OUTBOX_FIELD] as unknown[] | undefined)?.length ?? 0;
    if (pending === 0 || Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * One in-place write of document `id`: once its outbox is idle (other processes' relays), and alone
 * among this process's writes of it (`withDocumentLock`, which the relay's write-back takes too).
 * The wait is outside the lock: the relay needs the lock to drain the outbox it waits for.
 */
export async function updateWhenOutboxIdle<T>(collection: Collection, id: string, write: () => Promise<T>): Promise<T> {
  await whenOutboxIdle(collection, id);
  return withDocumentLock(collection.collectionName, id, write);
}
