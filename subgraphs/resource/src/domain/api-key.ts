import { BadUserInputError } from '@ytm/errors';

/** A personal API key as its owner sees it; the secret itself is never stored. */
export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** Shown once, in the createApiKey response. */
  secret: string;
}

/** How stale `lastUsedAt` may get before an authentication writes it again (the contract allows a minute). */
export const LAST_USED_RESOLUTION_MS = 30_000;

/** At most this many live keys per user, so a script cannot grow the collection without bound. */
export const MAX_KEYS_PER_USER = 50;

/** The session id in access tokens issued for an API key: signing out of nothing, revoking the key revokes its playback. */
export function apiKeySessionId(keyId: string): string {
  return `apikey:${keyId}`;
}

/** 1–100 characters after trimming, no control characters. */
export function normaliseApiKeyName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw new BadUserInputError('The name must be 1 to 100 characters', 'name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadUserInputError('The name must not contain control characters', 'name');
  return name;
}
