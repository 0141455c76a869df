import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { KeyResolver } from './access-token-verifier.js';

export interface JwksKeyResolverOptions {
  url: string;
  /** Keys are re-fetched after this long even when known (picks up removals). */
  maxAgeMs?: number;
  /** An unknown `kid` triggers a refresh at most this often, so junk tokens cannot hammer the JWKS. */
  minRefreshIntervalMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Called when a fetch fails, except while the issuer may still be starting (see startupGraceMs). */
  onError?: (err: unknown) => void;
  /** Failures before the first successful fetch are expected while the issuer starts: quiet for this long. */
  startupGraceMs?: number;
  now?: () => number;
}

interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
  alg?: string;
}

/** Resolves `kid`s from a JWKS URL with caching; refreshes on an unknown `kid` (key rotation). */
export function createJwksKeyResolver(options: JwksKeyResolverOptions): KeyResolver & { refresh(): Promise<void>; loaded(): boolean } {
  const { url, maxAgeMs = 10 * 60_000, minRefreshIntervalMs = 5_000, timeoutMs = 2_000, fetchImpl = fetch, onError, startupGraceMs = 60_000 } = options;
  const now = options.now ?? Date.now;
  let keys = new Map<string, KeyObject>();
  let fetchedAt = 0;
  let failedAt = 0;
  let firstAttemptAt: number | undefined;
  let inflight: Promise<void> | undefined;

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
  };

  const refresh = async (): Promise<void> => {
    firstAttemptAt ??= now();
    inflight ??= load()
      .catch((err: unknown) => {
        failedAt = now(); // keep the keys we had; retry soon, not at once
        const starting = fetchedAt === 0 && failedAt - (firstAttemptAt ?? failedAt) < startupGraceMs;
        if (!starting) onError?.(err);
        throw err;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const resolve = async (kid: string): Promise<KeyObject | undefined> => {
    const t = now();
    const stale = t - fetchedAt > maxAgeMs || (!keys.has(kid) && t - fetchedAt > minRefreshIntervalMs);
    // After a failed fetch (the issuer was still starting, say) try again after a second, not after minutes.
    if (stale && t - failedAt > 1_000) await refresh().catch(() => undefined);
    return keys.get(kid);
  };
  return Object.assign(resolve, { refresh, loaded: () => keys.size > 0 });
}
