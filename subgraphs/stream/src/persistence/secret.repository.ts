import { randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { SecretDoc } from './secret.model.js';

export class MongoSecretRepository {
  constructor(private readonly model: Model<SecretDoc>) {}

  /** The named secret, generated once; replicas racing at first start agree on the winner. */
  async getOrCreate(name: string, bytes = 32): Promise<Buffer> {
    const existing = await this.model.findById(name).lean<SecretDoc>();
    if (existing) return Buffer.from(existing.value, 'base64');
    try {
      await this.model.collection.insertOne({ _id: name, value: randomBytes(bytes).toString('base64'), createdAt: new Date() } as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const stored = await this.model.findById(name).lean<SecretDoc>();
    if (!stored) throw new Error(`secret ${name} vanished`);
    return Buffer.from(stored.value, 'base64');
  }
}
