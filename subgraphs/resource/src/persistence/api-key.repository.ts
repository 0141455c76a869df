import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, pushOutbox, type OutboxEntry } from '@ytm/events';
import { findByIds, updateOneById } from '@ytm/mongo';
import type { ApiKey } from '../domain/api-key.js';
import type { ApiKeyRepository } from '../domain/ports.js';
import { backfillLookup, type BackfillResult } from './lookup-backfill.js';
import { updateWhenOutboxIdle } from './outbox-guard.js';
import { groupBy, ReadModel } from './read-model.js';
import type { ReadModelIntents } from './read-model-intents.js';
import { EVENT_SOURCE } from './user.repository.js';

/**
 * `api_keys`: `_id` is the SHA-256 digest of the secret, so authenticating is one `_id` lookup
 * (the only filter FerretDB 1.x serves from an index). Revoking marks the document `_deleted`
 * with its event; the outbox relay deletes it once the event is out, and every read ignores it.
 * `api_key_ids` (`_id` = key id → digest) finds a key by its public id (revoking) by `_id` too;
 * it is written before the key and deleted after its revocation. A user's keys are listed from a
 * read model (`read_models`, `apikeys:<userId>#<version>`, see ReadModel: the live keys' digests),
 * then the keys by `_id` (at most 50); never a filter on `userId`, which FerretDB answers by
 * reading every user's keys. After each create or revoke the user's list takes what the key's
 * document says, under an intent the sweep finishes if the writer dies (ReadModelIntents).
 */
interface ApiKeyDoc {
  _id: string;
  keyId: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  _outbox?: OutboxEntry[];
  _deleted?: boolean;
}

const LIVE = { [DELETED_FIELD]: { $ne: true } };

/** A live key in a user's list: its digest (the document's `_id`) and id. */
interface Entry {
  d: string;
  k: string;
}

export const API_KEYS_MODEL = 'apikeys';
const FACTS = { projection: { keyId: 1, userId: 1 } };
const toEntry = (d: Pick<ApiKeyDoc, '_id' | 'keyId'>): Entry => ({ d: d._id, k: d.keyId });
/** Newest first, then by id. */
const newestFirst = (a: ApiKey, b: ApiKey) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

function toApiKey(d: ApiKeyDoc): ApiKey {
  return { id: d.keyId, userId: d.userId, name: d.name, createdAt: d.createdAt, lastUsedAt: d.lastUsedAt ?? null };
}

export class MongoApiKeyRepository implements ApiKeyRepository {
  private readonly model: ReadModel<Entry[]>;

  /** `readModels`/`intents`: where the users' key lists are kept (see ReadModel). */
  constructor(
    private readonly collection: Collection,
    readModels: Collection,
    private readonly intents: ReadModelIntents,
    /** After a write that added events to a document's outbox: its `_id` (the relay reads it by `_id`). */
    private readonly onOutbox: (id: string) => void = () => undefined,
    private readonly ids: Collection = collection.conn.collection('api_key_ids'),
    logger?: Logger,
  ) {
    this.model = new ReadModel<Entry[]>(
      readModels,
      API_KEYS_MODEL,
      {
        all: () => groupBy(collection.find<ApiKeyDoc>(LIVE as never, FACTS), (d) => d.userId, toEntry),
        one: async (userId) => (await collection.find<ApiKeyDoc>({ userId, ...LIVE } as never, FACTS).toArray()).map(toEntry),
        empty: () => [],
      },
      { logger },
    );
    intents.register(API_KEYS_MODEL, (userId, digest) => this.reconcile(userId, digest));
  }

  /** Key lists of users with keys from before the lists existed: once per start, from one scan of `api_keys`. */
  backfill(): Promise<void> {
    return this.model.backfill();
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ keyId: 1 }, { unique: true });
    await this.collection.createIndex({ userId: 1, createdAt: -1 });
  }

  /** At start: id documents for live keys written before `api_key_ids` existed (see `backfillLookup`). */
  backfillIdLookup(logger: Logger): Promise<BackfillResult> {
    return backfillLookup(
      {
        name: 'api_key_ids',
        lookups: this.ids,
        source: this.collection,
        filter: LIVE,
        projection: { keyId: 1, userId: 1 },
        refField: 'digest',
        entry: (d) => ({ _id: String(d.keyId), ref: String(d._id), fields: { digest: String(d._id), userId: String(d.userId) } }),
      },
      logger,
    );
  }

  async create(key: ApiKey, digest: string): Promise<void> {
    const event = outboxEntry(EVENT_SOURCE, 'resource.apikey.created', key.id, { id: key.id, userId: key.userId });
    const doc: ApiKeyDoc = {
      _id: digest,
      keyId: key.id,
      userId: key.userId,
      name: key.name,
      createdAt: key.createdAt,
      lastUsedAt: null,
      [OUTBOX_FIELD]: [event],
    };
    await this.intents.around(API_KEYS_MODEL, key.userId, digest, async () => {
      await this.ids.insertOne({ _id: key.id as never, digest, userId: key.userId });
      await this.collection.insertOne(doc as never);
      this.onOutbox(digest);
      await this.reconcile(key.userId, digest);
    });
  }

  async findByDigest(digest: string): Promise<ApiKey | null> {
    const d = await this.collection.findOne<ApiKeyDoc>({ _id: digest as never });
    return d && !d[DELETED_FIELD] ? toApiKey(d) : null;
  }

  async findById(id: string): Promise<ApiKey | null> {
    const digest = await this.digestOf(id);
    const key = digest ? await this.findByDigest(digest) : null;
    return key?.id === id ? key : null;
  }

  /** The user's live keys, newest first: the list by `_id`, then each key by `_id`. */
  async listByUser(userId: string): Promise<ApiKey[]> {
    const entries = await this.model.read(userId);
    const docs = await findByIds<ApiKeyDoc>(
      this.collection,
      entries.map((e) => e.d),
    );
    return docs
      .filter((d) => !d[DELETED_FIELD] && d.userId === userId)
      .map(toApiKey)
      .sort(newestFirst);
  }

  /** The user's list takes what the key document `digest` says now (read after the list's newest version). */
  async reconcile(userId: string, digest: string): Promise<void> {
    await this.model.update(userId, async (base) => {
      const doc = await this.collection.findOne<ApiKeyDoc>({ _id: digest as never }, { projection: { ...FACTS.projection, [DELETED_FIELD]: 1 } });
      const next = base.filter((e) => e.d !== digest);
      if (doc && !doc[DELETED_FIELD] && doc.userId === userId) next.push(toEntry(doc));
      return next;
    });
  }

  async revoke(id: string): Promise<boolean> {
    const d = await this.findById(id);
    const digest = d ? await this.digestOf(id) : null;
    if (!d || !digest) return false;
    const event = outboxEntry(EVENT_SOURCE, 'resource.apikey.revoked', id, { id, userId: d.userId });
    const r = await this.intents.around(API_KEYS_MODEL, d.userId, digest, async () => {
      const written = await updateWhenOutboxIdle(this.collection, digest, () =>
        updateOneById(this.collection, digest, LIVE, { $set: { [DELETED_FIELD]: true }, ...pushOutbox(event) }),
      );
      await this.reconcile(d.userId, digest);
      return written;
    });
    if (r.matchedCount !== 1) return false;
    this.onOutbox(digest);
    await this.ids.deleteOne({ _id: id as never });
    return true;
  }

  private async digestOf(id: string): Promise<string | null> {
    return (await this.ids.findOne<{ digest: string }>({ _id: id as never }))?.digest ?? null;
  }

  async touch(digest: string, at: Date): Promise<void> {
    // By `_id` alone (with another key FerretDB reads every key); a revoked key's time is never read.
    await updateWhenOutboxIdle(this.collection, digest, () => this.collection.updateOne({ _id: digest as never }, { $set: { lastUsedAt: at } }));
  }
}
