import type { Collection } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, pushOutbox, type OutboxEntry } from '@ytm/events';
import type { ApiKey } from '../domain/api-key.js';
import type { ApiKeyRepository } from '../domain/ports.js';
import { updateWhenOutboxIdle } from './outbox-guard.js';
import { EVENT_SOURCE } from './user.repository.js';

/**
 * `api_keys`: `_id` is the SHA-256 digest of the secret, so authenticating is one `_id` lookup
 * (the only filter FerretDB 1.x serves from an index). Revoking marks the document `_deleted`
 * with its event; the outbox relay deletes it once the event is out, and every read ignores it.
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
  ) {}

  async init(): Promise<void> {
    await this.collection.createIndex({ keyId: 1 }, { unique: true });
    await this.collection.createIndex({ userId: 1, createdAt: -1 });
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
    await this.collection.insertOne(doc as never);
    this.onOutbox();
  }

  async findByDigest(digest: string): Promise<ApiKey | null> {
    const d = await this.collection.findOne<ApiKeyDoc>({ _id: digest as never });
    return d && !d[DELETED_FIELD] ? toApiKey(d) : null;
  }

  async findById(id: string): Promise<ApiKey | null> {
    const d = await this.collection.findOne<ApiKeyDoc>({ keyId: id, ...LIVE } as never);
    return d ? toApiKey(d) : null;
  }

  async listByUser(userId: string): Promise<ApiKey[]> {
    const docs = await this.collection
      .find<ApiKeyDoc>({ userId, ...LIVE } as never)
      .sort({ createdAt: -1, keyId: -1 })
      .toArray();
    return docs.map(toApiKey);
  }

  async revoke(id: string): Promise<boolean> {
    const d = await this.collection.findOne<ApiKeyDoc>({ keyId: id, ...LIVE } as never, { projection: { _id: 1, userId: 1 } });
    if (!d) return false;
    const event = outboxEntry(EVENT_SOURCE, 'resource.apikey.revoked', id, { id, userId: d.userId });
    const r = await updateWhenOutboxIdle(this.collection, d._id, () =>
      this.collection.updateOne({ _id: d._id as never, ...LIVE }, { $set: { [DELETED_FIELD]: true }, ...pushOutbox(event) } as never),
    );
    if (r.matchedCount === 1) this.onOutbox();
    return r.matchedCount === 1;
  }

  async touch(digest: string, at: Date): Promise<void> {
    await updateWhenOutboxIdle(this.collection, digest, () => this.collection.updateOne({ _id: digest as never, ...LIVE }, { $set: { lastUsedAt: at } }));
  }
}
