import type { Collection } from 'mongoose';
import { upsert } from '@ytm/mongo';
import { withDocumentLock } from '@ytm/events';
import type { Annotation, AnnotationKind, AnnotationRepository } from '../domain/annotation.js';

/**
 * `annotations`: one document per (user, kind, item), `_id` = `<userId>:<kind>:<itemId>`, so the
 * write path is a single-`_id` read and replace (the one lookup FerretDB indexes). A user's listing
 * filters on `userId`, which FerretDB answers by scanning the collection (subsonic caches it).
 */
interface AnnotationDoc {
  _id: string;
  userId: string;
  kind: AnnotationKind;
  itemId: string;
  rating?: number;
  starredAt?: Date;
}

const annotationId = (userId: string, kind: AnnotationKind, itemId: string) => `${userId}:${kind}:${itemId}`;

function toAnnotation(d: Pick<AnnotationDoc, 'kind' | 'itemId' | 'rating' | 'starredAt'>): Annotation {
  return { kind: d.kind, itemId: d.itemId, rating: d.rating ?? null, starredAt: d.starredAt ?? null };
}

export class MongoAnnotationRepository implements AnnotationRepository {
  constructor(private readonly collection: Collection) {}

  async listByUser(userId: string, limit: number): Promise<Annotation[]> {
    const docs = await this.collection
      .find<AnnotationDoc>({ userId }, { projection: { kind: 1, itemId: 1, rating: 1, starredAt: 1 } })
      .limit(limit)
      .toArray();
    return docs.map(toAnnotation);
  }

  /**
   * Read, change, replace, serialised per document within this process (a FerretDB update is a
   * read-modify-write itself). Two resource replicas changing the same item of the same user in
   * the same instant may keep only the last; each write is whole, never a mix.
   */
  update(
    userId: string,
    kind: AnnotationKind,
    itemId: string,
    change: (current: Annotation | null) => Pick<Annotation, 'rating' | 'starredAt'>,
  ): Promise<Annotation> {
    const _id = annotationId(userId, kind, itemId);
    return withDocumentLock(this.collection.collectionName, _id, async () => {
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
      return { kind, itemId, ...next };
    });
  }
}
