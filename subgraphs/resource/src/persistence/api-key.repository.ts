import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, pushOutbox, type OutboxEntry } from '@ytm/events';
import type { ApiKey } from '../domain/api-key.js';
import type { ApiKeyRepository } from '../domain/ports.js';
import { backfillLookup, type BackfillResult } from './lookup-backfill.js';
import { updateWhenOutboxIdle } from './outbox-guard.js';
import { EVENT_SOURCE } from './user.repository.js';

/**
 * `api_keys`: `_id` is the SHA-256 digest of the secret, so authenticating is one `_id` lookup
 * (the only filter FerretDB 1.x serves from an index). Revoking marks the document `_deleted`
 * with its event; the outbox relay deletes it once the event is out, and every read ignores it.
 * `api_key_ids` (`_id` = key id → digest) finds a key by its public id (revoking) by `_id` too;
 * it is written before the key and deleted after its revocation.
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

function toApiKey(d: ApiKeyDoc): ApiKey {
  return { id: d.keyId, userId: d.userId, name: d.name, createdAt: d.createdAt, lastUsedAt: d.lastUsedAt ?? null };
}

export class MongoApiKeyRepository implements ApiKeyRepository {
  constructor(
    private readonly collection: Collection,
    private readonly onOutbox: () => void = () => undefined,
    private readonly ids: Collection = collection.conn.collection('api_key_ids'),
  ) {}

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
    await this.ids.insertOne({ _id: key.id as never, digest, userId: key.userId });
    await this.collection.insertOne(doc as never);
    this.onOutbox();
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

  async listByUser(userId: string): Promise<ApiKey[]> {
    const docs = await this.collection
      .find<ApiKeyDoc>({ userId, ...LIVE } as never)
      .sort({ createdAt: -1, keyId: -1 })
      .toArray();
    return docs.map(toApiKey);
  }

  async revoke(id: string): Promise<boolean> {
    const d = await this.findById(id);
    const digest = d ? await this.digestOf(id) : null;
    if (!d || !digest) return false;
    const event = outboxEntry(EVENT_SOURCE, 'resource.apikey.revoked', id, { id, userId: d.userId });
    const r = await updateWhenOutboxIdle(this.collection, digest, () =>
      this.collection.updateOne({ _id: digest as never, ...LIVE }, { $set: { [DELETED_FIELD]: true }, ...pushOutbox(event) } as never),
    );
    if (r.matchedCount !== 1) return false;
    this.onOutbox();
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
