import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AuthenticationError, createAuthenticator, parseBearer } from '../../src/index.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const { authenticate } = createAuthenticator(
  { JWT_ISSUER: 'ytm-resource', JWT_AUDIENCE: 'ytm' },
  { resolveKey: async (kid) => (kid === 'k1' ? publicKey : undefined) },
);
const token = jwt.sign({ sub: 'u1', sid: 's1', role: 'ADMIN', plan: { tier: 'FREE', exp: null } }, privateKey, {
  algorithm: 'ES256',
  header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
  issuer: 'ytm-resource',
  audience: 'ytm',
  expiresIn: 120,
});
const exp = (jwt.decode(token) as { exp: number }).exp;

describe('the auth edge', () => {
  it('turns an Authorization header into the caller, the token and its expiry', async () => {
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({
      viewer: { id: 'u1', sessionId: 's1', role: 'ADMIN', plan: { tier: 'FREE', expiresAt: null } },
      token,
      authorization: `Bearer ${token}`,
      expiresAt: new Date(exp * 1000),
    });
  });

  it('reads a graphql-ws connection_init payload the same way (either capitalisation)', async () => {
    await expect(authenticate({ authorization: `Bearer ${token}` })).resolves.toMatchObject({ viewer: { id: 'u1' }, expiresAt: new Date(exp * 1000) });
    await expect(authenticate({ Authorization: `Bearer ${token}` })).resolves.toMatchObject({ viewer: { id: 'u1' } });
  });

  it.each([[undefined], [null], [''], [{}], [{ authorization: '' }], [{ other: 'x' }]])('no credentials (%p) is anonymous: null', async (credentials) => {
    await expect(authenticate(credentials)).resolves.toBeNull();
  });

  it.each([['Basic abc'], [`Bearer ${token} extra`], [`bearer ${token}`], [{ authorization: 42 }], [[`Bearer ${token}`, `Bearer ${token}`]]])(
    'a malformed credential (%p) is a typed MALFORMED error',
    async (credentials) => {
      const err = await authenticate(credentials).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err).toMatchObject({ code: 'UNAUTHENTICATED', failure: 'MALFORMED', message: 'Malformed Authorization header' });
    },
  );

  it('a token that does not verify is a typed INVALID error', async () => {
    const err = await authenticate(`Bearer ${token.slice(0, -4)}AAAA`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', failure: 'INVALID', message: 'Invalid or expired access token' });
  });

  it('needs keys: a JWKS URL or a resolver', () => {
    expect(() => createAuthenticator({ JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' })).toThrow(/JWKS_URL or resolveKey/);
  });

  it('parses only well-formed Bearer headers', () => {
    expect(parseBearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(parseBearer('Basic abc')).toBeUndefined();
    expect(parseBearer('Bearer a b')).toBeUndefined();
    expect(parseBearer(undefined)).toBeUndefined();
  });
});
