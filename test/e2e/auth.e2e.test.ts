import { createPrivateKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { codes, gql, ME, REFRESH, SIGN_IN, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

describe('auth slice through the whole system (real FerretDB, Kafka, every process)', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2e');
  let system: System;
  let url: string;
  const email = `ann-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    system = await startSystem({ mongodbUrl, kafkaBrokers: kafkaBrokers.join(','), ephemeral: true, dbPrefix, production: true, env: { LOG_LEVEL: 'warn' } });
    url = system.graphqlUrl;
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  let accessToken: string;
  let refreshToken: string;
  let userId: string;

  it('signUp then me through the router', async () => {
    const up = await gql(url, SIGN_UP, { input: { email, password, displayName: 'Ann' } });
    expect(up.errors).toBeUndefined();
    expect(up.data!.signUp.user).toMatchObject({ email, displayName: 'Ann', role: 'USER', plan: { tier: 'FREE' } });
    userId = up.data!.signUp.user.id;
    const me = await gql(url, ME, {}, up.data!.signUp.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: userId, email, displayName: 'Ann', role: 'USER' });
  });

  it('signIn: the same UNAUTHENTICATED for a wrong password and an unknown email', async () => {
    const wrong = await gql(url, SIGN_IN, { email, password: 'not the password' });
    const unknown = await gql(url, SIGN_IN, { email: `nobody-${randomUUID()}@example.com`, password });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
    const ok = await gql(url, SIGN_IN, { email: email.toUpperCase(), password });
    expect(ok.errors).toBeUndefined();
    accessToken = ok.data!.signIn.accessToken;
    refreshToken = ok.data!.signIn.refreshToken;
  });

  it('rejects bad sign-up input with BAD_USER_INPUT and a duplicate email with CONFLICT', async () => {
    const short = await gql(url, SIGN_UP, { input: { email: 'x@example.com', password: 'short', displayName: 'X' } });
    expect(codes(short)).toEqual(['BAD_USER_INPUT']);
    const badEmail = await gql(url, SIGN_UP, { input: { email: 'not-an-email', password, displayName: 'X' } });
    expect(codes(badEmail)).toEqual(['BAD_USER_INPUT']);
    const dup = await gql(url, SIGN_UP, { input: { email, password, displayName: 'Again' } });
    expect(codes(dup)).toEqual(['CONFLICT']);
  });

  it('a password longer than 72 bytes is not truncated', async () => {
    const long = 'p'.repeat(80);
    const mail = `long-${randomUUID().slice(0, 8)}@example.com`;
    const up = await gql(url, SIGN_UP, { input: { email: mail, password: long, displayName: 'Long' } });
    expect(up.errors).toBeUndefined();
    const samePrefix = await gql(url, SIGN_IN, { email: mail, password: `${'p'.repeat(72)}DIFFERENT` });
    expect(codes(samePrefix)).toEqual(['UNAUTHENTICATED']);
    expect((await gql(url, SIGN_IN, { email: mail, password: long })).errors).toBeUndefined();
  });

  it('rejects missing, malformed, tampered, alg-none, HS256 and expired tokens', async () => {
    expect(codes(await gql(url, ME))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, ME, {}, 'garbage'))).toEqual(['UNAUTHENTICATED']);
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url');
    expect(codes(await gql(url, ME, {}, `${h}.${forged}.${s}`))).toEqual(['UNAUTHENTICATED']);
    const none = `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${p}.`;
    expect(codes(await gql(url, ME, {}, none))).toEqual(['UNAUTHENTICATED']);
    const jwks = (await (await fetch(`${system.routerUrl}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
    const hs = jwt.sign(claims, JSON.stringify(jwks.keys[0]), {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt', kid: header.kid } as never,
      noTimestamp: true,
    });
    expect(codes(await gql(url, ME, {}, hs))).toEqual(['UNAUTHENTICATED']);
    // An expired token signed with the real key (read from resource's database, as an attacker with a stale token would hold it).
    const conn = await mongoose.createConnection(mongodbUrl, { dbName: `${dbPrefix}_resource` }).asPromise();
    const key = await conn.collection('signing_keys').findOne({ _id: header.kid });
    await conn.close();
    const privateKey = createPrivateKey({ key: JSON.parse(key!.privateJwk as string), format: 'jwk' });
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ ...claims, iat: now - 3600, exp: now - 600 }, privateKey, {
      algorithm: 'ES256',
      header: { alg: 'ES256', typ: 'at+jwt', kid: header.kid },
    });
    expect(codes(await gql(url, ME, {}, expired))).toEqual(['UNAUTHENTICATED']);
    const valid = jwt.sign({ ...claims, iat: now, exp: now + 60 }, privateKey, {
      algorithm: 'ES256',
      header: { alg: 'ES256', typ: 'at+jwt', kid: header.kid },
    });
    expect((await gql(url, ME, {}, valid)).errors).toBeUndefined();
    const wrongAud = jwt.sign({ ...claims, aud: 'someone-else', iat: now, exp: now + 60 }, privateKey, {
      algorithm: 'ES256',
      header: { alg: 'ES256', typ: 'at+jwt', kid: header.kid },
    });
    expect(codes(await gql(url, ME, {}, wrongAud))).toEqual(['UNAUTHENTICATED']);
  });

  it('rotates refresh tokens and revokes the family when a spent one is reused', async () => {
    const first = await gql(url, REFRESH, { t: refreshToken });
    expect(first.errors).toBeUndefined();
    const next = first.data!.refreshSession.refreshToken as string;
    expect(next).not.toBe(refreshToken);
    const reuse = await gql(url, REFRESH, { t: refreshToken });
    expect(codes(reuse)).toEqual(['UNAUTHENTICATED']);
    // The reuse revoked the whole session: the newest token is dead too.
    expect(codes(await gql(url, REFRESH, { t: next }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, REFRESH, { t: 'rt_unknown' }))).toEqual(['UNAUTHENTICATED']);
  });

  it('signOut revokes the refresh token', async () => {
    const s = await gql(url, SIGN_IN, { email, password });
    const out = await gql(url, 'mutation { signOut }', {}, s.data!.signIn.accessToken);
    expect(out.data).toEqual({ signOut: true });
    expect(codes(await gql(url, REFRESH, { t: s.data!.signIn.refreshToken }))).toEqual(['UNAUTHENTICATED']);
  });

  it('production mode: no introspection, no suggestions, no stack traces', async () => {
    const intro = await gql(url, '{ __schema { types { name } } }', {}, accessToken);
    expect(intro.data ?? null).toBeNull();
    expect(codes(intro)).toContain('GRAPHQL_VALIDATION_FAILED');
    const typo = await gql(url, '{ mee { id } }', {}, accessToken);
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });

  it('services stop gracefully on SIGTERM: exit 0 within 10 s', async () => {
    const started = Date.now();
    expect(await system.services.stream.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    await system.services.stream.restart();
  });

  it('the router keeps serving after a subgraph restarts', async () => {
    await system.services.resource.restart();
    const me = await waitFor(
      async () => {
        const r = await gql(url, ME, {}, accessToken);
        return r.errors ? undefined : r;
      },
      10_000,
      200,
      'me after resource restart',
    );
    expect(me.data!.me.id).toBe(userId);
  });
});
