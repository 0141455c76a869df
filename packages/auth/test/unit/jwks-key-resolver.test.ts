import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createJwksKeyResolver, KeySetUnavailableError } from '../../src/index.js';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };

describe('JWKS key resolver', () => {
  it('never takes a failed fetch for an empty key set: SERVICE_UNAVAILABLE while it fails, the key as soon as it answers', async () => {
    let calls = 0;
    let up = false;
    const fetchImpl = (async () => {
      calls += 1;
      if (!up) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const waited: number[] = [];
    const wait = async (ms: number) => {
      waited.push(ms);
      t += ms;
    };
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, now: () => t, wait });
    const first = await resolve('k1').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KeySetUnavailableError);
    expect(first).toMatchObject({ code: 'SERVICE_UNAVAILABLE', extensions: { retryAfter: 1 } });
    t += 200;
    up = true;
    // Right after the failure: the next attempt is made (a second after the failed one), not skipped.
    await expect(resolve('k1')).resolves.toBeDefined();
    expect(calls).toBe(2);
    expect(waited).toEqual([800]);
  });

  it('makes one fetch for all the tokens waiting on it', async () => {
    let calls = 0;
    let answer: () => void = () => undefined;
    const fetchImpl = (async () => {
      calls += 1;
      await new Promise<void>((r) => (answer = r));
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl });
    const pending = Promise.all([resolve('k1'), resolve('k1'), resolve('k1')]);
    await new Promise((r) => setImmediate(r));
    answer();
    expect((await pending).every(Boolean)).toBe(true);
    expect(calls).toBe(1);
  });

  it('keeps verifying with a known key past its age and refreshes it behind the request', async () => {
    let calls = 0;
    let up = true;
    const fetchImpl = (async () => {
      calls += 1;
      if (!up) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, now: () => t, maxAgeMs: 60_000 });
    await resolve('k1');
    up = false;
    t += 61_000;
    await expect(resolve('k1')).resolves.toBeDefined(); // the issuer is down: the cached key still verifies
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
  });

  it('is quiet while the issuer starts (background fetches), then reports failures; a token that waited is always reported', async () => {
    const errors: unknown[] = [];
    let up = false;
    const fetchImpl = (async () => {
      if (!up) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const resolver = createJwksKeyResolver({
      url: 'http://issuer/jwks',
      fetchImpl,
      now: () => t,
      wait: async (ms) => (t += ms),
      startupGraceMs: 30_000,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 25; i++) {
      await resolver.refresh().catch(() => undefined); // as the router's /ready does
      t += 1_100;
    }
    expect(errors).toHaveLength(0); // 27.5 s of failures inside the grace period
    await expect(resolver('k1')).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(errors).toHaveLength(1); // a token was refused for it: reported at once
    t += 5_000;
    await resolver.refresh().catch(() => undefined);
    expect(errors).toHaveLength(2); // past the grace period
    up = true;
    await expect(resolver('k1')).resolves.toBeDefined();
    up = false; // once it has answered, every failure counts
    t += 11 * 60_000;
    await resolver.refresh().catch(() => undefined);
    expect(errors).toHaveLength(3);
  });

  it('does not refetch for every unknown kid', async () => {
    let calls = 0;
    const fetchImpl = (async () => {
      calls += 1;
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, now: () => t, minRefreshIntervalMs: 60_000 });
    await resolve('k1');
    for (let i = 0; i < 20; i++) {
      await expect(resolve(`junk-${i}`)).resolves.toBeUndefined();
      t += 1_000;
    }
    expect(calls).toBe(1);
    t += 60_000; // past the minimum interval: an unknown kid may refresh once more
    await resolve('junk-late');
    expect(calls).toBe(2);
  });
});
