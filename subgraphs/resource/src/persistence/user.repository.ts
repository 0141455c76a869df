import { randomUUID } from 'node:crypto';
import type { Collection, Model } from 'mongoose';
import { ServiceUnavailableError } from '@ytm/errors';
import type { Logger } from '@ytm/logger';
import { OUTBOX_FIELD, outboxEntry, pushOutbox } from '@ytm/events';
import { findByIds, isDuplicateKeyError, updateOneById } from '@ytm/mongo';
import { EmailTakenError, type UserRepository } from '../domain/ports.js';
import type { Plan, Role, User, UserWithSecret } from '../domain/user.js';
import { updateWhenOutboxIdle } from './outbox-guard.js';
import type { UserDoc } from './user.model.js';
import { UserDirectory } from './user-directory.js';
import { UserEmailLookup } from './user-email.lookup.js';
import { backfillLookup, type BackfillResult } from './lookup-backfill.js';

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

/** How long the search's one read of every user's email and name may take. */
const SEARCH_TIME_LIMIT_MS = 5_000;

/** MongoDB's (and FerretDB's) error code for an operation past its `maxTimeMS`. */
const MAX_TIME_EXPIRED = 50;

/**
 * Users, updated in place. FerretDB 1.x runs an update as read, modify, write back the whole
 * document, so two updates of one user at once kept only one of them (a password change undone by
 * a display-name change; two plan changes from the same plan both "won"). In-place writes of one
 * user therefore go one at a time in this process, after its outbox is idle
 * (`updateWhenOutboxIdle`).
 * On MongoDB the updates are atomic anyway and the lock is a map lookup.
 */
export class MongoUserRepository implements UserRepository {
  private readonly emails: UserEmailLookup;
  private readonly directory: UserDirectory;
  private readonly changeListeners: Array<(id: string) => void> = [];

  /** `emails`: the `user_emails` collection (`_id` = email → user id), the one way a user is found by email. */
  constructor(
    private readonly model: Model<UserDoc>,
    /** After a write that added events to a document's outbox: its `_id` (the relay reads it by `_id`). */
    private readonly onOutbox: (id: string) => void = () => undefined,
    private readonly emailCollection: Collection = model.db.collection('user_emails'),
    options: { directoryVersions?: Collection; searchNamesMaxAgeMs?: number } = {},
  ) {
    this.emails = new UserEmailLookup(emailCollection, model.collection);
    this.directory = new UserDirectory(emailCollection, options.directoryVersions ?? model.db.collection('user_directory_versions'), model.collection, {
      namesMaxAgeMs: options.searchNamesMaxAgeMs ?? 10_000,
      readTimeLimitMs: SEARCH_TIME_LIMIT_MS,
    });
  }

  /** At start: claims for users written before `user_emails` existed (see `backfillLookup`). */
  async backfillEmailLookup(logger: Logger): Promise<BackfillResult> {
    const result = await backfillLookup(
      {
        name: 'user_emails',
        lookups: this.emailCollection,
        source: this.model.collection,
        filter: {},
        projection: { email: 1 },
        refField: 'userId',
        entry: (d) => ({ _id: String(d.email), ref: String(d._id), fields: { userId: String(d._id), at: new Date() } }),
      },
      logger,
    );
    if (result.added + result.repointed > 0) await this.directory.changed();
    return result;
  }

  /**
   * Claims the email (an insert into a unique `_id`, atomic everywhere), then inserts the user. Of
   * concurrent sign-ups with one email exactly one claims it; the unique email index of `users`
   * backs that up for a user written without a claim (before the lookup existed).
   */
  async create(input: { email: string; displayName: string; passwordHash: string; role: Role; plan: User['plan'] }): Promise<User> {
    const now = new Date();
    const doc: UserDoc = { _id: randomUUID(), ...input, createdAt: now, updatedAt: now };
    if (!(await this.emails.claim(input.email, doc._id, now))) throw new EmailTakenError(input.email);
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
      // The claims changed either way: the admin's list reads them again (a claim left pointing
      // at no user would be counted, and the adopted user missing, until then).
      if (!isDuplicateKeyError(err)) {
        await this.emails.release(input.email, doc._id);
        await this.directory.changed();
        throw err;
      }
      // A user with this email exists without a claim (written before the lookup existed): point the claim at it.
      await this.emails.adoptExisting(input.email, doc._id);
      await this.directory.changed();
      throw new EmailTakenError(input.email);
    }
    this.onOutbox(doc._id);
    await this.directory.changed();
    return toUser(doc);
  }

  /** Told after every write of an existing user (its name, role, plan or password). */
  onChange(listener: (id: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** Another replica wrote this user (its announcement): the admin's search matches names read again. */
  changedElsewhere(): void {
    this.directory.namesChanged();
  }

  private changed(id: string): void {
    this.directory.namesChanged();
    for (const listener of this.changeListeners) listener(id);
  }

  /** One read by `_id` on the collection (as `findByIds`): `me` asks it on every request, mongoose's query machinery adds nothing to it. */
  async findById(id: string): Promise<User | null> {
    const [d] = await findByIds<UserDoc>(this.model.collection, [id], USER_FIELDS);
    return d ? toUser(d) : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    return (await findByIds<UserDoc>(this.model.collection, ids, USER_FIELDS)).map(toUser);
  }

  /** Two reads by `_id`: the email's claim, then its user. */
  async findByEmailWithSecret(email: string): Promise<UserWithSecret | null> {
    const userId = await this.emails.userIdOf(email);
    const d = userId ? await this.model.findById(userId).lean<UserDoc>() : null;
    return d && d.email === email ? { ...toUser(d), passwordHash: d.passwordHash } : null;
  }

  async findWithSecret(id: string): Promise<UserWithSecret | null> {
    const d = await this.model.findById(id).lean<UserDoc>();
    return d ? { ...toUser(d), passwordHash: d.passwordHash } : null;
  }

  async anyAdmin(): Promise<boolean> {
    return (await this.model.countDocuments({ role: 'ADMIN' }).limit(1)) > 0;
  }

  async setRole(id: string, role: Role): Promise<void> {
    const r = await this.updateInPlace(id, () => this.model.updateOne({ _id: id }, { $set: { role, updatedAt: new Date() } }).exec());
    if (r.matchedCount > 0) this.changed(id);
  }

  /** Writes `resource.user.password-changed` in the same write. */
  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    const event = outboxEntry(EVENT_SOURCE, 'resource.user.password-changed', id, { __typename: 'User', id });
    const r = await this.updateInPlace(id, () =>
      this.model.updateOne({ _id: id }, { $set: { passwordHash, updatedAt: new Date() }, ...pushOutbox(event) }).exec(),
    );
    if (r.matchedCount > 0) {
      this.onOutbox(id);
      this.changed(id);
    }
  }

  async setDisplayName(id: string, displayName: string): Promise<User | null> {
    const d = await this.updateInPlace(id, () =>
      this.model
        .findOneAndUpdate({ _id: id }, { $set: { displayName, updatedAt: new Date() } }, { new: true })
        .lean<UserDoc>()
        .exec(),
    );
    if (d) this.changed(id);
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
      updateOneById(
        this.model.collection,
        id,
        { 'plan.tier': expected.tier, 'plan.expiresAt': expected.expiresAt },
        { $set: { plan: next, updatedAt: new Date() }, ...pushOutbox(event) },
      ),
    );
    if (r.matchedCount === 0) return false;
    this.onOutbox(id);
    this.changed(id);
    return true;
  }

  /**
   * Ordered by email, from the directory held in memory (`UserDirectory`): without a search its
   * claims, with one every user's email and display name (a case-insensitive substring of either);
   * the users collection is read by `_id` for the page's users only. The names the search matches
   * are read in one pass over `users` after a sign-up or a change of a user, bounded in time
   * (`SEARCH_TIME_LIMIT_MS`, then SERVICE_UNAVAILABLE).
   */
  async page(options: { first: number; afterEmail?: string; search?: string }) {
    let found: { entries: Array<[string, string]>; total: number };
    try {
      found = options.search
        ? await this.directory.search(options.search, options.afterEmail, options.first + 1)
        : await this.directory.after(options.afterEmail, options.first + 1);
    } catch (err) {
      if ((err as { code?: number }).code === MAX_TIME_EXPIRED) throw new ServiceUnavailableError('The search took too long; try again later');
      throw err;
    }
    const { entries, total } = found;
    const shown = entries.slice(0, options.first);
    const byId = new Map((await this.findByIds(shown.map(([, id]) => id))).map((u) => [u.id, u]));
    const users = shown.flatMap(([email, id]) => (byId.get(id)?.email === email ? [byId.get(id)!] : []));
    return { users, hasNextPage: entries.length > options.first, totalCount: total };
  }

  private updateInPlace<T>(id: string, write: () => Promise<T>): Promise<T> {
    return updateWhenOutboxIdle(this.model.collection, id, write);
  }
}
