import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { OUTBOX_FIELD, outboxEntry, pushOutbox } from '@ytm/events';
import { isDuplicateKeyError } from '@ytm/mongo';
import { EmailTakenError, type UserRepository } from '../domain/ports.js';
import type { Plan, Role, User, UserWithSecret } from '../domain/user.js';
import { updateWhenOutboxIdle } from './outbox-guard.js';
import type { UserDoc } from './user.model.js';

export const EVENT_SOURCE = 'ytm-resource';

/** What a User read needs: never the password hash or the pending outbox (a read of `me` is among the most frequent). */
const USER_FIELDS = { email: 1, displayName: 1, role: 1, plan: 1, createdAt: 1 } as const;

function toUser(d: Omit<UserDoc, 'passwordHash' | 'updatedAt'>): User {
  return {
    id: d._id,
    email: d.email,
    displayName: d.displayName,
    role: d.role,
    plan: { tier: d.plan.tier, expiresAt: d.plan.expiresAt ?? null },
    createdAt: d.createdAt,
  };
}

/** How long one page of the admin's user list may take (a search scans the collection). */
const SEARCH_TIME_LIMIT_MS = 5_000;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Users, updated in place. FerretDB 1.x runs an update as read, modify, write back the whole
 * document, so two updates of one user at once kept only one of them (a password change undone by
 * a display-name change; two plan changes from the same plan both "won"). In-place writes of one
 * user therefore go one at a time in this process, after its outbox is idle
 * (`updateWhenOutboxIdle`).
 * On MongoDB the updates are atomic anyway and the lock is a map lookup.
 */
export class MongoUserRepository implements UserRepository {
  constructor(
    private readonly model: Model<UserDoc>,
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  async create(input: { email: string; displayName: string; passwordHash: string; role: Role; plan: User['plan'] }): Promise<User> {
    const now = new Date();
    const doc: UserDoc = { _id: randomUUID(), ...input, createdAt: now, updatedAt: now };
    const event = outboxEntry(EVENT_SOURCE, 'resource.user.registered', doc._id, {
      __typename: 'User',
      id: doc._id,
      displayName: doc.displayName,
      role: doc.role,
    });
    try {
      // The user and its registration event in one document write (transactional outbox).
      await this.model.collection.insertOne({ ...doc, [OUTBOX_FIELD]: [event] } as never);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new EmailTakenError(input.email);
      throw err;
    }
    this.onOutbox();
    return toUser(doc);
  }

  async findById(id: string): Promise<User | null> {
    const d = await this.model.findById(id, USER_FIELDS).lean<UserDoc>();
    return d ? toUser(d) : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    const docs = await this.model.find({ _id: { $in: [...ids] } }, USER_FIELDS).lean<UserDoc[]>();
    return docs.map(toUser);
  }

  async findByEmailWithSecret(email: string): Promise<UserWithSecret | null> {
    const d = await this.model.findOne({ email }).lean<UserDoc>();
    return d ? { ...toUser(d), passwordHash: d.passwordHash } : null;
  }

  async findWithSecret(id: string): Promise<UserWithSecret | null> {
    const d = await this.model.findById(id).lean<UserDoc>();
    return d ? { ...toUser(d), passwordHash: d.passwordHash } : null;
  }

  async anyAdmin(): Promise<boolean> {
    return (await this.model.countDocuments({ role: 'ADMIN' }).limit(1)) > 0;
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.updateInPlace(id, () => this.model.updateOne({ _id: id }, { $set: { role, updatedAt: new Date() } }).exec());
  }

  /** Writes `resource.user.password-changed` in the same write. */
  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    const event = outboxEntry(EVENT_SOURCE, 'resource.user.password-changed', id, { __typename: 'User', id });
    const r = await this.updateInPlace(id, () =>
      this.model.updateOne({ _id: id }, { $set: { passwordHash, updatedAt: new Date() }, ...pushOutbox(event) }).exec(),
    );
    if (r.matchedCount > 0) this.onOutbox();
  }

  async setDisplayName(id: string, displayName: string): Promise<User | null> {
    const d = await this.updateInPlace(id, () =>
      this.model
        .findOneAndUpdate({ _id: id }, { $set: { displayName, updatedAt: new Date() } }, { new: true })
        .lean<UserDoc>()
        .exec(),
    );
    return d ? toUser(d) : null;
  }

  async replacePlan(id: string, expected: Plan, next: Plan, previousTier: Plan['tier']): Promise<boolean> {
    const event = outboxEntry(EVENT_SOURCE, 'resource.user.plan-changed', id, {
      __typename: 'User',
      id,
      tier: next.tier,
      expiresAt: next.expiresAt?.toISOString() ?? null,
      previousTier,
    });
    const r = await this.updateInPlace(id, () =>
      this.model
        .updateOne(
          { _id: id, 'plan.tier': expected.tier, 'plan.expiresAt': expected.expiresAt },
          { $set: { plan: next, updatedAt: new Date() }, ...pushOutbox(event) },
        )
        .exec(),
    );
    if (r.matchedCount === 0) return false;
    this.onOutbox();
    return true;
  }

  /**
   * Ordered by email (the unique index), a page after the cursor's email. A search is a
   * case-insensitive substring match on email and display name, which no index serves: FerretDB
   * scans the users collection for it. Only administrators list users (the users page), so the scan
   * is off every hot path, and it is bounded in time (`SEARCH_TIME_LIMIT_MS`).
   */
  async page(options: { first: number; afterEmail?: string; search?: string }) {
    const filter = options.search
      ? { $or: [{ email: { $regex: escapeRegex(options.search), $options: 'i' } }, { displayName: { $regex: escapeRegex(options.search), $options: 'i' } }] }
      : {};
    const query = options.afterEmail ? { $and: [filter, { email: { $gt: options.afterEmail } }] } : filter;
    const [docs, totalCount] = await Promise.all([
      this.model
        .find(query, USER_FIELDS)
        .sort({ email: 1 })
        .limit(options.first + 1)
        .maxTimeMS(SEARCH_TIME_LIMIT_MS)
        .lean<UserDoc[]>(),
      this.model.countDocuments(filter).maxTimeMS(SEARCH_TIME_LIMIT_MS),
    ]);
    return { users: docs.slice(0, options.first).map(toUser), hasNextPage: docs.length > options.first, totalCount };
  }

  private updateInPlace<T>(id: string, write: () => Promise<T>): Promise<T> {
    return updateWhenOutboxIdle(this.model.collection, id, write);
  }
}
