import { randomUUID } from 'node:crypto';
import { BadUserInputError, ConflictError, NotFoundError, UnauthenticatedError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { checkPassword, normaliseDisplayName, normaliseEmail } from './account-validation.js';
import {
  EmailTakenError,
  type AccessTokenIssuer,
  type Clock,
  type PasswordHasher,
  type PlaybackRevoker,
  type RefreshTokens,
  type SessionRepository,
  type SignInThrottle,
  type UserRepository,
} from './ports.js';
import type { IssuedSession } from './session.js';
import { issueAccessToken, type Principal } from './principal.js';
import type { User } from './user.js';

/** The session id in access tokens issued for a verified password (no refresh session exists). */
export function passwordSessionId(userId: string): string {
  return `password:${userId}`;
}

export interface AccountServiceDeps {
  users: UserRepository;
  /** Where `getUser` (GraphQL's `me`, gRPC GetUser) reads: a cache of the store may stand here; decisions read `users`. */
  userReads?: Pick<UserRepository, 'findById'>;
  sessions: SessionRepository;
  passwords: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  refreshTokens: RefreshTokens;
  playback: PlaybackRevoker;
  throttle: SignInThrottle;
  clock: Clock;
  refreshTokenTtlMs: number;
}

const INVALID_CREDENTIALS = 'Invalid email or password';
const INVALID_REFRESH = 'Invalid or expired refresh token';

/** Accounts and sessions: sign-up, sign-in, refresh rotation with reuse detection, sign-out. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async signUp(input: { email: string; password: string; displayName: string }): Promise<IssuedSession> {
    const email = normaliseEmail(input.email);
    const displayName = normaliseDisplayName(input.displayName);
    checkPassword(input.password);
    const passwordHash = await this.deps.passwords.hash(input.password);
    let user: User;
    try {
      user = await this.deps.users.create({ email, displayName, passwordHash, role: 'USER', plan: { tier: 'FREE', expiresAt: null } });
    } catch (err) {
      if (err instanceof EmailTakenError) throw new ConflictError('An account with this email already exists');
      throw err;
    }
    return this.openSession(user);
  }

  /**
   * The same error, and about the same time, for an unknown email and a wrong password. The
   * throttle runs before any hashing, so a storm of guesses is cut off cheaply.
   */
  async signIn(emailRaw: string, password: string, address?: string): Promise<IssuedSession> {
    return this.openSession(await this.checkPassword(emailRaw, password, address));
  }

  /**
   * For clients that can only send a password with every request (legacy Subsonic `p`): the
   * checks of signIn, and an access token but no session. The caller remembers the result
   * rather than asking again per request.
   */
  async verifyPassword(emailRaw: string, password: string, address?: string): Promise<Principal> {
    const user = await this.checkPassword(emailRaw, password, address);
    return { user, apiKeyId: null, ...(await issueAccessToken(this.deps.accessTokens, user, passwordSessionId(user.id), this.deps.clock.now())) };
  }

  private async checkPassword(emailRaw: string, password: string, address?: string): Promise<User> {
    let email: string;
    try {
      email = normaliseEmail(emailRaw);
    } catch {
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (password.length > 4096) throw new UnauthenticatedError(INVALID_CREDENTIALS);
    const attempt = await this.deps.throttle.reserve(email, address);
    const user = await this.deps.users.findByEmailWithSecret(email);
    if (!user) {
      await this.deps.passwords.verifyDummy(password);
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (!(await this.deps.passwords.verify(password, user.passwordHash))) throw new UnauthenticatedError(INVALID_CREDENTIALS);
    await attempt.succeeded();
    const { passwordHash: _secret, ...publicUser } = user;
    return publicUser;
  }

  /** Needs the current password (throttled like sign-in); every other session of the user is revoked. */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string, address?: string): Promise<boolean> {
    checkPassword(newPassword, 'newPassword');
    const user = await this.deps.users.findWithSecret(viewer.id);
    if (!user) throw new UnauthenticatedError();
    const attempt = await this.deps.throttle.reserve(user.email, address);
    const ok = currentPassword.length <= 4096 && (await this.deps.passwords.verify(currentPassword, user.passwordHash));
    if (!ok) throw new BadUserInputError('The current password is not correct', 'currentPassword');
    await attempt.succeeded();
    await this.deps.users.setPasswordHash(user.id, await this.deps.passwords.hash(newPassword));
    const revoked = await this.deps.sessions.revokeAllForUser(user.id, 'password changed', this.deps.clock.now(), viewer.sessionId);
    await Promise.all(revoked.map((sessionId) => this.deps.playback.revoke(user.id, sessionId)));
    return true;
  }

  async updateProfile(viewer: Viewer, displayNameRaw: string): Promise<User> {
    const displayName = normaliseDisplayName(displayNameRaw);
    const user = await this.deps.users.setDisplayName(viewer.id, displayName);
    if (!user) throw new UnauthenticatedError();
    return user;
  }

  /** Single use: the token is rotated; presenting a spent one revokes the whole session. */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    if (refreshToken.length === 0 || refreshToken.length > 200) throw new UnauthenticatedError(INVALID_REFRESH);
    const now = this.deps.clock.now();
    const hash = this.deps.refreshTokens.hash(refreshToken);
    const next = this.deps.refreshTokens.generate();
    const session = await this.deps.sessions.rotate(hash, this.deps.refreshTokens.hash(next), now);
    if (!session) {
      const reused = await this.deps.sessions.findBySpentHash(hash);
      if (reused && !reused.revokedAt) {
        await this.deps.sessions.revoke(reused.id, 'refresh token reuse', now);
        await this.deps.playback.revoke(reused.userId, reused.id);
      }
      throw new UnauthenticatedError(INVALID_REFRESH);
    }
    const user = await this.deps.users.findById(session.userId);
    if (!user) throw new UnauthenticatedError(INVALID_REFRESH);
    const access = await this.issueAccess(user, session.id);
    return { ...access, refreshToken: next, user };
  }

  async signOut(viewer: Viewer): Promise<boolean> {
    await this.deps.sessions.revoke(viewer.sessionId, 'sign-out', this.deps.clock.now());
    await this.deps.playback.revoke(viewer.id, viewer.sessionId);
    return true;
  }

  async getUser(id: string): Promise<User> {
    const user = await (this.deps.userReads ?? this.deps.users).findById(id);
    if (!user) throw new NotFoundError('User not found');
    return user;
  }

  /** Creates the configured admin when no admin exists (first start). */
  async ensureAdmin(emailRaw: string, password: string): Promise<'created' | 'promoted' | 'exists'> {
    if (await this.deps.users.anyAdmin()) return 'exists';
    const email = normaliseEmail(emailRaw);
    const existing = await this.deps.users.findByEmailWithSecret(email);
    if (existing) {
      await this.deps.users.setRole(existing.id, 'ADMIN');
      return 'promoted';
    }
    checkPassword(password, 'ADMIN_PASSWORD');
    const passwordHash = await this.deps.passwords.hash(password);
    try {
      await this.deps.users.create({ email, displayName: 'Administrator', passwordHash, role: 'ADMIN', plan: { tier: 'PREMIUM', expiresAt: null } });
    } catch (err) {
      if (err instanceof EmailTakenError) return 'exists'; // another replica won the race
      throw err;
    }
    return 'created';
  }

  private async openSession(user: User): Promise<IssuedSession> {
    const now = this.deps.clock.now();
    const refreshToken = this.deps.refreshTokens.generate();
    const session = await this.deps.sessions.create({
      id: randomUUID(),
      userId: user.id,
      refreshHash: this.deps.refreshTokens.hash(refreshToken),
      expiresAt: new Date(now.getTime() + this.deps.refreshTokenTtlMs),
    });
    const access = await this.issueAccess(user, session.id);
    return { ...access, refreshToken, user };
  }

  private issueAccess(user: User, sessionId: string): Promise<{ accessToken: string; accessTokenExpiresAt: Date }> {
    return issueAccessToken(this.deps.accessTokens, user, sessionId, this.deps.clock.now());
  }
}
