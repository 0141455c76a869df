import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createJwksKeyResolver } from '../../src/index.js';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };

describe('JWKS key resolver', () => {
  it('recovers quickly when the issuer was not up at the first fetch', async () => {
    let calls = 0;
    const fetchImpl = (async () => {
      calls += 1;
      if (calls === 1) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, now: () => t });
    await expect(resolve('k1')).resolves.toBeUndefined();
    await expect(resolve('k1')).resolves.toBeUndefined(); // within a second of the failure: no new fetch
    expect(calls).toBe(1);
    t += 1_100;
    await expect(resolve('k1')).resolves.toBeDefined();
    expect(calls).toBe(2);
  });

  it('is quiet while the issuer starts, then reports failures', async () => {
    const errors: unknown[] = [];
    let up = false;
    const fetchImpl = (async () => {
      if (!up) throw new Error('ECONNREFUSED');
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    let t = 1_000_000;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, now: () => t, startupGraceMs: 30_000, onError: (e) => errors.push(e) });
    for (let i = 0; i < 25; i++) {
      await resolve('k1');
      t += 1_100;
    }
    expect(errors).toHaveLength(0); // 27.5 s of failures inside the grace period
    t += 5_000;
    await resolve('k1');
    expect(errors).toHaveLength(1);
    up = true;
    t += 1_100;
    await expect(resolve('k1')).resolves.toBeDefined();
    up = false; // once it has answered, every failure counts
    t += 11 * 60_000;
    await resolve('k1');
    expect(errors).toHaveLength(2);
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
