import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { SigningKeyDoc } from './signing-key.model.js';

export interface StoredKey {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
}

function toKey(d: SigningKeyDoc): StoredKey {
  return {
    kid: d._id,
    privateJwk: JSON.parse(d.privateJwk) as JsonWebKey,
    publicJwk: JSON.parse(d.publicJwk) as JsonWebKey,
    createdAt: d.createdAt,
    activatesAt: d.activatesAt ?? d.createdAt,
    retiredAt: d.retiredAt ?? null,
  };
}

export class MongoSigningKeyRepository {
  constructor(private readonly model: Model<SigningKeyDoc>) {}

  /** Keys that are still published: active ones, and retired ones until `publishedSince`. */
  async listPublished(retiredAfter: Date): Promise<StoredKey[]> {
    const docs = await this.model
      .find({ $or: [{ retiredAt: null }, { retiredAt: { $gt: retiredAfter } }] })
      .sort({ createdAt: -1 })
      .lean<SigningKeyDoc[]>();
    return docs.map(toKey);
  }

  /**
   * The first key of an empty store: of replicas starting together exactly one inserts it (a
   * unique index on `first`); the others get `undefined` and read the winner's.
   */
  async addFirst(now = new Date()): Promise<StoredKey | undefined> {
    try {
      return await this.add(now, now, true);
    } catch (err) {
      if (isDuplicateKeyError(err)) return undefined;
      throw err;
    }
  }

  /** Adds a fresh ES256 key, published at once and signing from `activatesAt`. */
  async add(now = new Date(), activatesAt = now, first = false): Promise<StoredKey> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomUUID().replace(/-/g, '').slice(0, 16);
    const doc: SigningKeyDoc = {
      _id: kid,
      alg: 'ES256',
      privateJwk: JSON.stringify(privateKey.export({ format: 'jwk' })),
      publicJwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
      createdAt: now,
      activatesAt,
      retiredAt: null,
      ...(first ? { first: true as const } : {}),
    };
    await this.model.collection.insertOne(doc as never);
    return toKey(doc);
  }

  /** Retires every other unretired key at `at` (when the new key starts signing). */
  async retireAllExcept(kid: string, at = new Date()): Promise<number> {
    const r = await this.model.updateMany({ _id: { $ne: kid }, $or: [{ retiredAt: null }, { retiredAt: { $gt: at } }] }, { $set: { retiredAt: at } });
    return r.modifiedCount;
  }

  /** Deletes keys retired before `before` (no token they signed can still be valid). */
  async deleteRetiredBefore(before: Date): Promise<number> {
    const r = await this.model.deleteMany({ retiredAt: { $ne: null, $lt: before } });
    return r.deletedCount;
  }
}
