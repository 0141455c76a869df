import type { Plan, Role, User, UserWithSecret } from './user.js';
import type { Session } from './session.js';

/** Users, with their registration event written in the same document write. */
export interface UserRepository {
  /** Throws EmailTakenError when the email is registered already. */
  create(input: { email: string; displayName: string; passwordHash: string; role: Role; plan: Plan }): Promise<User>;
  findById(id: string): Promise<User | null>;
  findByIds(ids: readonly string[]): Promise<User[]>;
  findByEmailWithSecret(email: string): Promise<UserWithSecret | null>;
  findWithSecret(id: string): Promise<UserWithSecret | null>;
  anyAdmin(): Promise<boolean>;
  setRole(id: string, role: Role): Promise<void>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  setDisplayName(id: string, displayName: string): Promise<User | null>;
  /**
   * Sets the plan when it still equals `expected` (so the event's previous tier is right);
   * false when it changed meanwhile. Writes `resource.user.plan-changed` in the same write.
   */
  replacePlan(id: string, expected: Plan, next: Plan, previousTier: Plan['tier']): Promise<boolean>;
  /**
   * Users ordered by email, after `afterEmail`; `search`: only those whose email or display name
   * contains it, ignoring case. For administrators only (a search reads the whole collection).
   */
  page(options: { first: number; afterEmail?: string; search?: string }): Promise<{ users: User[]; hasNextPage: boolean; totalCount: number }>;
}

export class EmailTakenError extends Error {}

/** Refresh-token sessions; tokens are stored only as hashes. */
export interface SessionRepository {
  create(input: { id: string; userId: string; refreshHash: string; expiresAt: Date }): Promise<Session>;
  /** Atomically swaps the current hash for a new one; null when `currentHash` is not current. */
  rotate(currentHash: string, nextHash: string, now: Date): Promise<Session | null>;
  /** The session a spent (already rotated) hash belonged to. */
  findBySpentHash(hash: string): Promise<Session | null>;
  revoke(id: string, reason: string, now: Date): Promise<void>;
  revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<string[]>;
  findById(id: string): Promise<Session | null>;
}

/** Sign-in throttling per account and per client address, applied before any password hashing. */
export interface SignInThrottle {
  /** Reserves one attempt (counted as a failure until `succeeded`); throws RateLimitedError when the account or the address is locked out. */
  reserve(account: string, address: string | undefined): Promise<SignInAttempt>;
}

export interface SignInAttempt {
  /** The password was right: the reserved failure is given back. */
  succeeded(): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a failed verify, for unknown accounts. */
  verifyDummy(password: string): Promise<void>;
}

export interface AccessTokenIssuer {
  issue(claims: { userId: string; sessionId: string; role: Role; plan: Plan }): Promise<{ token: string; expiresAt: Date }>;
}

export interface RefreshTokens {
  generate(): string;
  hash(token: string): string;
}

/** Tells stream to revoke playback tickets (signOut, downgrade); failures are logged, not fatal. */
export interface PlaybackRevoker {
  revoke(userId: string, sessionId?: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type PlaylistChangeKind = 'created' | 'updated' | 'deleted';

/**
 * Playlists, each change committed atomically as a new version (exactly one of concurrent writers
 * of the same version wins) together with its `resource.playlist.*` event.
 */
export interface PlaylistRepository {
  create(playlist: import('./playlist.js').Playlist): Promise<void>;
  /** The latest version; null when missing or deleted. */
  findLatest(id: string): Promise<import('./playlist.js').Playlist | null>;
  /** Commits `next` (version = previous + 1); false when another writer committed that version first. */
  commit(next: import('./playlist.js').Playlist, kind: Exclude<PlaylistChangeKind, 'created'>): Promise<boolean>;
  listByOwner(
    ownerId: string,
    options: { publicOnly: boolean; first: number; after?: { createdAt: Date; id: string } },
  ): Promise<{ playlists: import('./playlist.js').PlaylistSummary[]; hasNextPage: boolean; totalCount: number }>;
}

/** Likes of tracks by users; each change writes `resource.track.liked|unliked` in the same write. */
export interface LikeRepository {
  /** Idempotent: liking again keeps (and returns) the first like's time. */
  like(userId: string, trackId: string, now: Date): Promise<Date>;
  /** Idempotent: false when it was not liked. */
  unlike(userId: string, trackId: string): Promise<boolean>;
  /** When it was liked, if it is liked, shown so by `likedAmong` already, and its track still in the library (liking again has nothing to do); else null. */
  likedAt(userId: string, trackId: string): Promise<Date | null>;
  /** The liked ones among `trackIds`, with when they were liked. */
  likedAmong(userId: string, trackIds: readonly string[]): Promise<Map<string, Date>>;
  /** The same for many users at once (one store query): the liked (user, track) pairs. */
  likesOfUsers(userIds: readonly string[], trackIds: readonly string[]): Promise<Array<{ userId: string; trackId: string; likedAt: Date }>>;
  /** Newest like first; tracks that left the library are left out. */
  listLiked(
    userId: string,
    options: { first: number; after?: { likedAt: Date; trackId: string } },
  ): Promise<{ likes: Array<{ trackId: string; likedAt: Date }>; hasNextPage: boolean; totalCount: number }>;
  /** Hides (true) or shows again (false) the likes of a track that left the library. */
  setTrackRemoved(trackId: string, removed: boolean): Promise<void>;
}

/**
 * Personal API keys, looked up by the digest of their secret. Creating and revoking one writes
 * `resource.apikey.created|revoked` in the same write.
 */
export interface ApiKeyRepository {
  create(key: import('./api-key.js').ApiKey, digest: string): Promise<void>;
  /** A live key by the digest of its secret; null when unknown or revoked. */
  findByDigest(digest: string): Promise<import('./api-key.js').ApiKey | null>;
  findById(id: string): Promise<import('./api-key.js').ApiKey | null>;
  /** Live keys of a user, newest first. */
  listByUser(userId: string): Promise<import('./api-key.js').ApiKey[]>;
  /** False when it was revoked already (or never existed). */
  revoke(id: string): Promise<boolean>;
  /** Records a use (by the digest the key was found with). */
  touch(digest: string, at: Date): Promise<void>;
}

/** API key secrets: generated with at least 128 bits of randomness, stored as a SHA-256 digest. */
export interface ApiKeySecrets {
  generate(): string;
  digest(secret: string): string;
}
