/**
 * Per-document write serialisation inside one process. FerretDB 1.x applies an update as read,
 * modify, write back the whole document, so two concurrent updates of one document can lose one
 * of them. The outbox relay removes published events with such an update; repositories that update
 * documents carrying an outbox in place wrap those writes in the same lock, so the relay's
 * write-back can never undo a change (or its event) made by this process. (MongoDB itself applies
 * single-document updates atomically; there the lock only costs a map lookup.)
 */
const tails = new Map<string, Promise<unknown>>();

export async function withDocumentLock<T>(collection: string, id: unknown, fn: () => Promise<T>): Promise<T> {
  const key = `${collection}\u0000${String(id)}`;
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
