import type { Collection } from 'mongoose';
import { upsert } from '@ytm/mongo';
import { withDocumentLock } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { Annotation, AnnotationKind, AnnotationRepository } from '../domain/annotation.js';
import { groupBy, ReadModel } from './read-model.js';
import type { ReadModelIntents } from './read-model-intents.js';

/** `annotations`: one document per (user, kind, item), `_id` = `<userId>:<kind>:<itemId>`. */
interface AnnotationDoc {
  _id: string;
  userId: string;
  kind: AnnotationKind;
  itemId: string;
  rating?: number;
  starredAt?: Date;
}

/** An annotation in the stored list (short names: the list is one document per user). */
interface Entry {
  k: AnnotationKind;
  i: string;
  r?: number;
  s?: Date;
}

export const ANNOTATED_MODEL = 'annotated';
const FACTS = { projection: { userId: 1, kind: 1, itemId: 1, rating: 1, starredAt: 1 } };
const annotationId = (userId: string, kind: AnnotationKind, itemId: string) => `${userId}:${kind}:${itemId}`;

function toEntry(d: Pick<AnnotationDoc, 'kind' | 'itemId' | 'rating' | 'starredAt'>): Entry {
  return { k: d.kind, i: d.itemId, ...(d.rating != null ? { r: d.rating } : {}), ...(d.starredAt != null ? { s: d.starredAt } : {}) };
}

function toAnnotation(d: Pick<AnnotationDoc, 'kind' | 'itemId' | 'rating' | 'starredAt'>): Annotation {
  return { kind: d.kind, itemId: d.itemId, rating: d.rating ?? null, starredAt: d.starredAt ?? null };
}

const fromEntry = (e: Entry): Annotation => ({ kind: e.k, itemId: e.i, rating: e.r ?? null, starredAt: e.s != null ? new Date(e.s) : null });

/**
 * The write path is a single-`_id` read and replace of the item's document (the one lookup
 * FerretDB indexes). A user's listing (read by subsonic for every response it decorates with the
 * user's notes) is a read model (`read_models`, `annotated:<userId>#<version>`, see ReadModel),
 * read by `_id`, never a filter on `annotations` (FerretDB answers one by reading every user's
 * annotations). After each write the user's list takes what the item's document says, under an
 * intent the sweep finishes if the writer dies (ReadModelIntents).
 */
export class MongoAnnotationRepository implements AnnotationRepository {
  private readonly model: ReadModel<Entry[]>;

  constructor(
    private readonly collection: Collection,
    readModels: Collection,
    private readonly intents: ReadModelIntents,
    logger?: Logger,
  ) {
    this.model = new ReadModel<Entry[]>(
      readModels,
      ANNOTATED_MODEL,
      {
        all: () => groupBy(collection.find<AnnotationDoc>({}, FACTS), (d) => d.userId, toEntry),
        one: async (userId) => (await collection.find<AnnotationDoc>({ userId }, FACTS).toArray()).map(toEntry),
        empty: () => [],
      },
      // A list keyed by item: a rating or star writes itself, not the user's whole list.
      { logger, listKey: (e) => `${e.k}:${e.i}` },
    );
    intents.register(ANNOTATED_MODEL, (userId, item) => this.reconcile(userId, item));
  }

  /** Lists of users with annotations from before the lists existed: once per start, from one scan of `annotations`. */
  backfill(): Promise<void> {
    return this.model.backfill();
  }

  /** The user's annotations (at most `limit`); one read by `_id` while unchanged. */
  async listByUser(userId: string, limit: number): Promise<Annotation[]> {
    return (await this.model.read(userId)).slice(0, limit).map(fromEntry);
  }

  /**
   * Read, change, replace, serialised per document within this process (a FerretDB update is a
   * read-modify-write itself). Two resource replicas changing the same item of the same user in
   * the same instant may keep only the last; each write is whole, never a mix. Then the user's
   * list takes what the document says.
   */
  update(
    userId: string,
    kind: AnnotationKind,
    itemId: string,
    change: (current: Annotation | null) => Pick<Annotation, 'rating' | 'starredAt'>,
  ): Promise<Annotation> {
    const _id = annotationId(userId, kind, itemId);
    return withDocumentLock(this.collection.collectionName, _id, () =>
      this.intents.around(ANNOTATED_MODEL, userId, `${kind}:${itemId}`, async () => {
        const doc = await this.collection.findOne<AnnotationDoc>({ _id: _id as never });
        const next = change(doc ? toAnnotation(doc) : null);
        if (next.rating === null && next.starredAt === null) {
          if (doc) await this.collection.deleteOne({ _id: _id as never });
        } else {
          const replacement: Omit<AnnotationDoc, '_id'> = {
            userId,
            kind,
            itemId,
            ...(next.rating !== null ? { rating: next.rating } : {}),
            ...(next.starredAt !== null ? { starredAt: next.starredAt } : {}),
          };
          await upsert(() => this.collection.replaceOne({ _id: _id as never }, replacement, { upsert: true }));
        }
        await this.reconcile(userId, `${kind}:${itemId}`);
        return { kind, itemId, ...next };
      }),
    );
  }

  /** The user's list takes what the document of `item` (`<kind>:<itemId>`) says now (read after the list's newest version). */
  async reconcile(userId: string, item: string): Promise<void> {
    await this.model.update(userId, async (base) => {
      const doc = await this.collection.findOne<AnnotationDoc>({ _id: `${userId}:${item}` as never }, FACTS);
      const next = base.filter((e) => `${e.k}:${e.i}` !== item);
      if (doc) next.push(toEntry(doc));
      return next;
    });
  }
}
