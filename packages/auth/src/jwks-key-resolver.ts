import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailableError } from '@ytm/errors';
import type { KeyResolver } from './access-token-verifier.js';

export interface JwksKeyResolverOptions {
  url: string;
  /** Keys are re-fetched after this long even when known (picks up removals); meanwhile the known ones keep verifying. */
  maxAgeMs?: number;
  /** After a successful fetch, an unknown `kid` refreshes the keys at most this often, so junk tokens cannot hammer the JWKS. */
  minRefreshIntervalMs?: number;
  /** After a failed fetch the next one starts this much later; tokens that need it wait for it. */
  retryDelayMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Called when a fetch fails, except a background one while the issuer may still be starting (see startupGraceMs). */
  onError?: (err: unknown) => void;
  /** Failures before the first successful fetch are expected while the issuer starts: quiet for this long (unless a token waited for it). */
  startupGraceMs?: number;
  now?: () => number;
  wait?: (ms: number) => Promise<unknown>;
}

interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
  alg?: string;
}

/** The keys could not be fetched, so a token signed by an unknown `kid` can be neither accepted nor refused: SERVICE_UNAVAILABLE, retry. */
export class KeySetUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('Access tokens cannot be verified right now; try again shortly', 1);
  }
}

/**
 * Resolves `kid`s from a JWKS URL with caching; refreshes on an unknown `kid` (key rotation, or an
 * issuer that was not up yet). A failed fetch is never taken for an empty key set: a token with a
 * `kid` not known yet waits for the next attempt (one at a time, `retryDelayMs` apart), and if that
 * fails too the caller gets SERVICE_UNAVAILABLE, never "invalid token".
 */
export function createJwksKeyResolver(options: JwksKeyResolverOptions): KeyResolver & { refresh(): Promise<void>; loaded(): boolean } {
  const { url, maxAgeMs = 10 * 60_000, minRefreshIntervalMs = 5_000, retryDelayMs = 1_000, timeoutMs = 5_000, fetchImpl = fetch, onError } = options;
  const { startupGraceMs = 60_000, wait = sleep } = options;
  const now = options.now ?? Date.now;
  let keys = new Map<string, KeyObject>();
  let fetchedAt = 0;
  let failedAt = 0;
  const startedAt = now();
  let inflight: Promise<void> | undefined;
  let awaitedByToken = false;

  const load = async (): Promise<void> => {
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`JWKS ${url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: Jwk[] };
    const next = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (typeof jwk.kid !== 'string' || jwk.use === 'enc') continue;
      next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    keys = next;
    fetchedAt = now();
    failedAt = 0;
  };

  /** One fetch at a time, shared by every caller; after a failure the next starts `retryDelayMs` later. */
  const attempt = (byToken: boolean): Promise<void> => {
    if (byToken) awaitedByToken = true;
    inflight ??= (async () => {
      const delay = failedAt === 0 ? 0 : failedAt + retryDelayMs - now();
      if (delay > 0) await wait(delay);
      await load();
    })()
      .catch((err: unknown) => {
        failedAt = now();
        const quiet = !awaitedByToken && fetchedAt === 0 && failedAt - startedAt < startupGraceMs;
        if (!quiet) onError?.(err);
        throw err;
      })
      .finally(() => {
        inflight = undefined;
        awaitedByToken = false;
      });
    return inflight;
  };

  const resolve = async (kid: string): Promise<KeyObject | undefined> => {
    const t = now();
    const known = keys.get(kid);
    if (known) {
      // Stale but known: keep verifying with it and refresh behind the request.
      if (t - fetchedAt > maxAgeMs && t - failedAt > retryDelayMs) void attempt(false).catch(() => undefined);
      return known;
    }
    // The key set answered moments ago without this kid: a junk or foreign token.
    if (fetchedAt !== 0 && failedAt === 0 && t - fetchedAt <= minRefreshIntervalMs) return undefined;
    try {
      await attempt(true);
    } catch {
      throw new KeySetUnavailableError(); // the failure itself went to onError
    }
    return keys.get(kid);
  };
  return Object.assign(resolve, { refresh: () => attempt(false), loaded: () => keys.size > 0 });
}
