import type { Collection, Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { SessionRepository } from '../domain/ports.js';
import type { Session } from '../domain/session.js';
import type { SessionDoc } from './session.model.js';
import { backfillLookup, type BackfillResult } from './lookup-backfill.js';

function toSession(d: SessionDoc, revokedAt: Date | null = d.revokedAt ?? null): Session {
  return { id: d._id, userId: d.userId, createdAt: d.createdAt, expiresAt: d.expiresAt, revokedAt };
}

/**
 * Sessions on a store whose updates are not atomic. FerretDB 1.x runs an update as
 * read, modify, write back the whole document, so two "conditional" updates of one document can
 * both win and a concurrent write can undo another. What must happen exactly once is therefore
 * recorded by inserts into unique `_id`s, which are atomic everywhere:
 * - `refresh_claims` (`_id` = hash of a refresh token): spending a token. Of two concurrent
 *   refreshes with the same token exactly one inserts the claim; the other is a reuse.
 * - `session_revocations` (`_id` = session id): revocation, which no later session write can undo.
 * - `session_tokens` (`_id` = hash of the current refresh token → session id): finding the session
 *   of a token is a read by `_id` (the only filter FerretDB 1.x serves from an index). The next
 *   token's document is inserted before the current one is claimed, and the spent one's deleted after.
 * The session document's own `refreshHash`/`revokedAt` are kept for reading.
 */
export class MongoSessionRepository implements SessionRepository {
  constructor(
    private readonly model: Model<SessionDoc>,
    private readonly claims: Collection,
    private readonly revocations: Collection,
    private readonly tokens: Collection = model.db.collection('session_tokens'),
  ) {}

  /** At start: token documents for live sessions written before `session_tokens` existed (see `backfillLookup`). */
  backfillTokenLookup(logger: Logger, now = new Date()): Promise<BackfillResult> {
    return backfillLookup(
      {
        name: 'session_tokens',
        lookups: this.tokens,
        source: this.model.collection,
        filter: { revokedAt: null, expiresAt: { $gt: now } },
        projection: { refreshHash: 1 },
        refField: 'sessionId',
        entry: (d) => ({ _id: String(d.refreshHash), ref: String(d._id), fields: { sessionId: String(d._id), at: now } }),
      },
      logger,
    );
  }

  async create(input: { id: string; userId: string; refreshHash: string; expiresAt: Date }): Promise<Session> {
    const now = new Date();
    const doc: SessionDoc = {
      _id: input.id,
      userId: input.userId,
      refreshHash: input.refreshHash,
      spentHashes: [],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: input.expiresAt,
      revokedAt: null,
      revokedReason: null,
    };
    // The token first: a token whose session is missing finds nothing (and is pruned by age).
    await this.tokens.insertOne({ _id: input.refreshHash as never, sessionId: input.id, at: now });
    await this.model.collection.insertOne(doc as never);
    return toSession(doc);
  }

  async rotate(currentHash: string, nextHash: string, now: Date): Promise<Session | null> {
    const token = await this.tokens.findOne<{ sessionId: string }>({ _id: currentHash as never });
    const d = token ? await this.model.findById(token.sessionId).lean<SessionDoc>() : null;
    if (!d || d.revokedAt || d.expiresAt <= now || (await this.isRevoked(d._id))) return null;
    await this.tokens.insertOne({ _id: nextHash as never, sessionId: d._id, at: now });
    try {
      // Spending the token: exactly one of concurrent refreshes inserts the claim.
      await this.claims.insertOne({ _id: currentHash as never, sessionId: d._id, at: now });
    } catch (err) {
      await this.tokens.deleteOne({ _id: nextHash as never });
      if (isDuplicateKeyError(err)) return null; // spent by a concurrent refresh: the caller treats it as reuse
      throw err;
    }
    await this.model.updateOne({ _id: d._id }, { $set: { refreshHash: nextHash, lastUsedAt: now } });
    await this.tokens.deleteOne({ _id: currentHash as never });
    return toSession(d);
  }

  async findBySpentHash(hash: string): Promise<Session | null> {
    const claim = await this.claims.findOne({ _id: hash as never });
    return claim ? this.findById(claim.sessionId as string) : null;
  }

  async revoke(id: string, reason: string, now: Date): Promise<void> {
    await this.markRevoked([id], reason, now);
    // Filters by `_id` alone (with another key FerretDB reads every session): the first revocation's time and reason stay.
    const d = await this.model.findById(id, { revokedAt: 1 }).lean<Pick<SessionDoc, 'revokedAt'>>();
    if (d && !d.revokedAt) await this.model.updateOne({ _id: id }, { $set: { revokedAt: now, revokedReason: reason } });
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<string[]> {
    const filter = { userId, revokedAt: null, ...(exceptSessionId ? { _id: { $ne: exceptSessionId } } : {}) };
    const ids = (await this.model.find(filter, { _id: 1 }).lean<Pick<SessionDoc, '_id'>[]>()).map((d) => d._id);
    if (ids.length > 0) {
      await this.markRevoked(ids, reason, now);
      await this.model.updateMany({ _id: { $in: ids }, revokedAt: null }, { $set: { revokedAt: now, revokedReason: reason } });
    }
    return ids;
  }

  async findById(id: string): Promise<Session | null> {
    const d = await this.model.findById(id).lean<SessionDoc>();
    return d ? toSession(d, await this.revokedAt(d)) : null;
  }

  /**
   * Deletes sessions past their last possible use, with their spent-token claims and revocation
   * markers (FerretDB has no TTL indexes). A session is last used `graceMs` (the access-token
   * lifetime) after it expired or was revoked: until then an access token it issued may still be
   * live, so a replayed spent token must still find it to revoke it. Order makes every step
   * idempotent and safe to interrupt: the session document goes first (while its revocation marker
   * still guards it), then its claims and token documents, then the marker. Claims and token
   * documents older than any session can live (`refreshTtlMs` + grace) are deleted by age, so none
   * outlives an interrupted pass.
   */
  async pruneEnded(
    now: Date,
    graceMs: number,
    refreshTtlMs: number,
    batch = 500,
  ): Promise<{ sessions: number; claims: number; revocations: number; tokens: number }> {
    const cutoff = new Date(now.getTime() - graceMs);
    const counts = { sessions: 0, claims: 0, revocations: 0, tokens: 0 };
    for (;;) {
      const expired = await this.model
        .find({ $or: [{ expiresAt: { $lt: cutoff } }, { revokedAt: { $lt: cutoff } }] }, { _id: 1 })
        .limit(batch)
        .lean<Pick<SessionDoc, '_id'>[]>();
      const revoked = await this.revocations.find({ at: { $lt: cutoff } }, { projection: { _id: 1 }, limit: batch }).toArray();
      const ids = [...new Set([...expired.map((d) => d._id), ...revoked.map((d) => d._id as unknown as string)])];
      if (ids.length === 0) break;
      counts.sessions += (await this.model.deleteMany({ _id: { $in: ids } })).deletedCount;
      counts.claims += (await this.claims.deleteMany({ sessionId: { $in: ids } })).deletedCount;
      counts.tokens += (await this.tokens.deleteMany({ sessionId: { $in: ids } })).deletedCount;
      counts.revocations += (await this.revocations.deleteMany({ _id: { $in: ids as never[] } })).deletedCount;
      if (expired.length < batch && revoked.length < batch) break;
    }
    const older = { at: { $lt: new Date(cutoff.getTime() - refreshTtlMs) } };
    counts.claims += (await this.claims.deleteMany(older)).deletedCount;
    counts.tokens += (await this.tokens.deleteMany(older)).deletedCount;
    return counts;
  }

  private async markRevoked(ids: string[], reason: string, now: Date): Promise<void> {
    try {
      await this.revocations.insertMany(
        ids.map((id) => ({ _id: id as never, reason, at: now })),
        { ordered: false },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err) && !isBulkDuplicate(err)) throw err;
    }
  }

  private async isRevoked(id: string): Promise<boolean> {
    return (await this.revocations.findOne({ _id: id as never }, { projection: { _id: 1 } })) !== null;
  }

  private async revokedAt(d: SessionDoc): Promise<Date | null> {
    if (d.revokedAt) return d.revokedAt;
    const marker = await this.revocations.findOne({ _id: d._id as never });
    return marker ? (marker.at as Date) : null;
  }
}

/** insertMany with ordered:false reports duplicates as a bulk error whose every write error is E11000. */
function isBulkDuplicate(err: unknown): boolean {
  const errors = (err as { writeErrors?: Array<{ code?: number }> } | null)?.writeErrors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.code === 11000);
}
