import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createAccessTokenVerifier } from '../../src/index.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const verify = createAccessTokenVerifier({ resolveKey: async (kid) => (kid === 'k1' ? publicKey : undefined), issuer: 'ytm-resource', audience: 'ytm' });
const claims = { sub: 'u1', sid: 's1', role: 'USER', plan: { tier: 'PREMIUM', exp: null } };
const sign = (over: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = privateKey) =>
  jwt.sign({ ...claims, ...over }, key, {
    algorithm: 'ES256',
    header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1', ...header } as never,
    issuer: 'ytm-resource',
    audience: 'ytm',
    expiresIn: 60,
  });

describe('access token verification', () => {
  it('accepts a well-formed token and maps claims to a viewer', async () => {
    const token = sign();
    const exp = (jwt.decode(token) as { exp: number }).exp;
    await expect(verify(token)).resolves.toEqual({
      viewer: { id: 'u1', sessionId: 's1', role: 'USER', plan: { tier: 'PREMIUM', expiresAt: null } },
      expiresAt: new Date(exp * 1000),
    });
  });

  it('counts an expired PREMIUM plan as FREE (by the injected clock)', async () => {
    const planExp = Math.floor(Date.now() / 1000) + 3600;
    const later = createAccessTokenVerifier({
      resolveKey: async () => publicKey,
      issuer: 'ytm-resource',
      audience: 'ytm',
      cacheSize: 0,
      now: () => (planExp + 1) * 1000,
    });
    const token = sign({ plan: { tier: 'PREMIUM', exp: planExp } });
    expect((await verify(token)).viewer.plan).toEqual({ tier: 'PREMIUM', expiresAt: new Date(planExp * 1000) });
    expect((await later(token)).viewer.plan).toEqual({ tier: 'FREE', expiresAt: null });
  });

  it('counts a PREMIUM plan that expired before signing as FREE', async () => {
    const { viewer } = await verify(sign({ plan: { tier: 'PREMIUM', exp: Math.floor(Date.now() / 1000) - 10 } }));
    expect(viewer.plan.tier).toBe('FREE');
  });

  it.each([
    ['wrong signing key', () => sign({}, {}, other.privateKey)],
    ['unknown kid', () => sign({}, { kid: 'k2' })],
    ['injected kid', () => sign({}, { kid: '../../etc/passwd' })],
    ['wrong typ (a playback ticket)', () => sign({}, { typ: 'ytm-ticket+jwt' })],
    ['missing typ', () => sign({}, { typ: undefined })],
    [
      'wrong audience',
      () =>
        jwt.sign(claims, privateKey, {
          algorithm: 'ES256',
          header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
          issuer: 'ytm-resource',
          audience: 'other',
          expiresIn: 60,
        }),
    ],
    [
      'wrong issuer',
      () =>
        jwt.sign(claims, privateKey, {
          algorithm: 'ES256',
          header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
          issuer: 'evil',
          audience: 'ytm',
          expiresIn: 60,
        }),
    ],
    [
      'expired',
      () =>
        jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, privateKey, {
          algorithm: 'ES256',
          header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
          issuer: 'ytm-resource',
          audience: 'ytm',
        }),
    ],
    [
      'HS256 signed with the public key',
      () =>
        jwt.sign(claims, publicKey.export({ format: 'pem', type: 'spki' }), {
          algorithm: 'HS256',
          header: { alg: 'HS256', typ: 'at+jwt', kid: 'k1' } as never,
          issuer: 'ytm-resource',
          audience: 'ytm',
          expiresIn: 60,
        }),
    ],
    [
      'alg none',
      () =>
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: 'ytm-resource', aud: 'ytm', exp: 9e9 })).toString('base64url')}.`,
    ],
    ['bad role claim', () => sign({ role: 'ROOT' })],
    ['oversized', () => `${sign()}${'A'.repeat(5000)}`],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with UNAUTHENTICATED', async (_name, make) => {
    await expect(verify(make())).rejects.toMatchObject({ code: 'UNAUTHENTICATED', failure: 'INVALID', message: 'Invalid or expired access token' });
  });
});

describe('verified tokens are remembered until they expire', () => {
  it('verifies a token once, then again only after its expiry (or its plan’s)', async () => {
    let now = Date.now();
    let lookups = 0;
    const cached = createAccessTokenVerifier({
      resolveKey: async (kid) => {
        lookups += 1;
        return kid === 'k1' ? publicKey : undefined;
      },
      issuer: 'ytm-resource',
      audience: 'ytm',
      now: () => now,
    });
    const token = sign();
    await cached(token);
    await cached(token);
    expect(lookups).toBe(1);
    now += 61_000; // past exp: verified again, and jwt (with the real clock) still accepts it within its 60 s
    await cached(token).catch(() => undefined);
    expect(lookups).toBe(2);

    const premiumUntil = Math.floor(now / 1000) + 2;
    const planned = sign({ plan: { tier: 'PREMIUM', exp: premiumUntil } });
    expect((await cached(planned)).viewer.plan.tier).toBe('PREMIUM');
    now = premiumUntil * 1000 + 1;
    await cached(planned);
    expect(lookups).toBe(4);
  });

  it('never remembers a token that failed', async () => {
    const bad = sign({}, {}, other.privateKey);
    await expect(verify(bad)).rejects.toThrow();
    await expect(verify(bad)).rejects.toThrow();
  });
});
