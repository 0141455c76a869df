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
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl });
    await expect(resolve('k1')).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(resolve('k1')).resolves.toBeDefined();
    expect(calls).toBe(2);
  });

  it('does not refetch for every unknown kid', async () => {
    let calls = 0;
    const fetchImpl = (async () => {
      calls += 1;
      return new Response(JSON.stringify(jwks));
    }) as typeof fetch;
    const resolve = createJwksKeyResolver({ url: 'http://issuer/jwks', fetchImpl, minRefreshIntervalMs: 60_000 });
    await resolve('k1');
    for (let i = 0; i < 20; i++) await expect(resolve(`junk-${i}`)).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });
});
