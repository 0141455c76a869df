import { randomBytes } from 'node:crypto';
import type { Viewer } from '@ytm/auth';
import { BadUserInputError, ForbiddenError, NotFoundError, UnauthenticatedError } from '@ytm/errors';
import { apiKeySessionId, LAST_USED_RESOLUTION_MS, MAX_KEYS_PER_USER, normaliseApiKeyName, type ApiKey, type IssuedApiKey } from './api-key.js';
import type { AccessTokenIssuer, ApiKeyRepository, ApiKeySecrets, Clock, PlaybackRevoker, UserRepository } from './ports.js';
import { issueAccessToken, type Principal } from './principal.js';

export interface ApiKeyServiceDeps {
  keys: ApiKeyRepository;
  secrets: ApiKeySecrets;
  users: UserRepository;
  accessTokens: AccessTokenIssuer;
  playback: PlaybackRevoker;
  clock: Clock;
}

const INVALID_KEY = 'Invalid API key';
/** Longer than any secret we issue; anything longer is not worth hashing. */
const MAX_SECRET_LENGTH = 200;

/** Personal API keys: created and listed by their owner, revoked by the owner or an ADMIN, used by non-browser clients. */
export class ApiKeyService {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  async create(viewer: Viewer, nameRaw: string): Promise<IssuedApiKey> {
    const name = normaliseApiKeyName(nameRaw);
    const live = await this.deps.keys.listByUser(viewer.id);
    if (live.length >= MAX_KEYS_PER_USER) throw new BadUserInputError(`At most ${MAX_KEYS_PER_USER} API keys per user; revoke one first`, 'name');
    const secret = this.deps.secrets.generate();
    const apiKey: ApiKey = { id: randomBytes(12).toString('base64url'), userId: viewer.id, name, createdAt: this.deps.clock.now(), lastUsedAt: null };
    await this.deps.keys.create(apiKey, this.deps.secrets.digest(secret));
    return { apiKey, secret };
  }

  /** Self only (others, ADMINs included: FORBIDDEN); newest first. */
  async list(viewer: Viewer, userId: string): Promise<ApiKey[]> {
    if (viewer.id !== userId) throw new ForbiddenError('Only the user may see their API keys');
    return this.deps.keys.listByUser(userId);
  }

  /** Own keys only (ADMIN: any); a key you may not revoke does not exist for you. */
  async revoke(viewer: Viewer, id: string): Promise<boolean> {
    const key = id.length <= 64 ? await this.deps.keys.findById(id) : null;
    if (!key || (key.userId !== viewer.id && viewer.role !== 'ADMIN')) throw new NotFoundError('API key not found');
    if (!(await this.deps.keys.revoke(key.id))) throw new NotFoundError('API key not found');
    // Open streams started with the key stop too (stream revokes the tickets of that session id).
    await this.deps.playback.revoke(key.userId, apiKeySessionId(key.id));
    return true;
  }

  /** The key's user and a fresh access token; unknown or revoked keys (and deleted users) are UNAUTHENTICATED. */
  async authenticate(secret: string): Promise<Principal> {
    if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) throw new UnauthenticatedError(INVALID_KEY);
    const digest = this.deps.secrets.digest(secret);
    const key = await this.deps.keys.findByDigest(digest);
    if (!key) throw new UnauthenticatedError(INVALID_KEY);
    const user = await this.deps.users.findById(key.userId);
    if (!user) throw new UnauthenticatedError(INVALID_KEY);
    const now = this.deps.clock.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) await this.deps.keys.touch(digest, now);
    return { user, apiKeyId: key.id, ...(await issueAccessToken(this.deps.accessTokens, user, apiKeySessionId(key.id), now)) };
  }
}
