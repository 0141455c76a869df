import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongoose';

/** `read_model_intents`: a change of a source document whose read-model update has not finished yet. */
interface IntentDoc {
  _id: string;
  model: string;
  key: string;
  item: string;
  at: Date;
}

/** Brings one read-model key up to date with one source document (idempotent). */
export type Reconcile = (key: string, item: string) => Promise<void>;

/**
 * What bounds the staleness of read models when a writer dies between writing a source document
 * (a like, a playlist head) and updating the read model: the writer records its intent first and
 * removes it once the read model is updated; a sweep (every 30 s, on every replica) reconciles the
 * read model with the source for every intent older than `staleAfterMs`. The collection holds only
 * changes in flight (or left by dead writers), so the sweep's scan stays small.
 */
export class ReadModelIntents {
  private readonly handlers = new Map<string, Reconcile>();

  constructor(private readonly docs: Collection) {}

  /** Registers how a model's key is reconciled with one source document. */
  register(model: string, reconcile: Reconcile): void {
    this.handlers.set(model, reconcile);
  }

  /** Runs `work` (the source write, then the read-model update) under a recorded intent; a failure leaves the intent to the sweep. */
  async around<T>(model: string, key: string, item: string, work: () => Promise<T>): Promise<T> {
    const _id = randomUUID();
    await this.docs.insertOne({ _id, model, key, item, at: new Date() } satisfies IntentDoc as never);
    const result = await work();
    await this.docs.deleteOne({ _id: _id as never }).catch(() => undefined);
    return result;
  }

  /** The keys of a model with a change of `item` in flight (a read of the small collection of intents). */
  async keysChanging(model: string, item: string): Promise<string[]> {
    const docs = await this.docs.find<Pick<IntentDoc, 'key'>>({ model, item } as never, { projection: { _id: 0, key: 1 } }).toArray();
    return [...new Set(docs.map((d) => d.key))];
  }

  /**
   * Reconciles and removes every intent older than `staleAfterMs`; how many. One that fails stays
   * for the next sweep and does not hold up the others; the sweep then fails with how many did.
   */
  async sweep(staleAfterMs: number, now = new Date()): Promise<number> {
    const stale = await this.docs.find<IntentDoc>({ at: { $lt: new Date(now.getTime() - staleAfterMs) } } as never).toArray();
    let done = 0;
    const failed: Error[] = [];
    for (const intent of stale) {
      const reconcile = this.handlers.get(intent.model);
      if (!reconcile) continue;
      try {
        await reconcile(intent.key, intent.item);
        await this.docs.deleteOne({ _id: intent._id as never });
        done++;
      } catch (err) {
        failed.push(err as Error);
      }
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${stale.length} read-model intents not finished (${done} were): ${failed[0]!.message}`);
    return done;
  }
}
