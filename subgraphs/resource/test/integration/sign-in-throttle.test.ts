import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codeOf, startHarness, type Harness } from './harness.js';

const SIGN_IN = 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { SIGNIN_MAX_FAILURES_PER_ADDRESS: '25' } });
});
afterAll(async () => {
  await h.close();
});

/** A fresh client address per test, so the per-address limit of one test does not leak into another. */
function address(): string {
  return `203.0.113.${Math.floor(Math.random() * 254) + 1}, 10.0.0.${Math.floor(Math.random() * 254) + 1}`;
}

function signIn(email: string, password: string, xff = address()) {
  return h.gql(SIGN_IN, { e: email, p: password }, undefined, { 'x-forwarded-for': xff });
}

describe('signIn', () => {
  it('answers an unknown email and a wrong password with the same error', async () => {
    const user = await h.signUp('same');
    const unknown = await signIn(`nobody-${randomUUID()}@ytm.test`, 'whatever password');
    const wrong = await signIn(user.user.email, 'wrong password!');
    const malformed = await signIn('not an email', 'whatever password');
    for (const r of [unknown, wrong, malformed]) {
      expect(r.data).toBeNull();
      expect(r.errors?.[0]).toMatchObject({ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } });
    }
    const ok = await signIn(user.user.email.toUpperCase(), user.password);
    expect(ok.data?.signIn.user.id).toBe(user.user.id);
  });

  it('locks an account after 10 failures, before hashing, with retryAfter; other accounts are unaffected', async () => {
    const victim = await h.signUp('victim');
    const other = await h.signUp('other');
    const xff = address();
    for (let i = 0; i < 10; i++) expect(codeOf(await signIn(victim.user.email, `guess-${i}-wrong`, xff))).toBe('UNAUTHENTICATED');
    const hashesBefore = h.hasher.verifies;
    // From another address, and even with the right password: the account is locked.
    const locked = await signIn(victim.user.email, victim.password);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    const retryAfter = locked.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(codeOf(await signIn(victim.user.email, 'another guess'))).toBe('RATE_LIMITED');
    expect(h.hasher.verifies).toBe(hashesBefore);
    expect((await signIn(other.user.email, other.password)).data?.signIn.user.id).toBe(other.user.id);
  });

  it('counts failures only: successful sign-ins do not use up the allowance', async () => {
    const user = await h.signUp('steady');
    for (let i = 0; i < 9; i++) expect(codeOf(await signIn(user.user.email, 'wrong password'))).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 5; i++) expect((await signIn(user.user.email, user.password)).data?.signIn).toBeTruthy();
    expect(codeOf(await signIn(user.user.email, 'wrong password'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await signIn(user.user.email, user.password))).toBe('RATE_LIMITED');
  });

  it('locks unknown emails the same way (no account enumeration through the throttle)', async () => {
    const ghost = `ghost-${randomUUID()}@ytm.test`;
    for (let i = 0; i < 10; i++) expect(codeOf(await signIn(ghost, 'some password'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await signIn(ghost, 'some password'))).toBe('RATE_LIMITED');
  });

  it('lets at most 10 of 40 parallel guesses reach the hasher', async () => {
    const user = await h.signUp('storm');
    const before = h.hasher.verifies;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(user.user.email, `parallel-${i}`)));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(30);
    expect(h.hasher.verifies - before).toBe(10);
  });

  it('throttles one client address across accounts, keyed by the first X-Forwarded-For hop', async () => {
    const attacker = `192.0.2.${Math.floor(Math.random() * 254) + 1}`;
    for (let i = 0; i < 25; i++) {
      expect(codeOf(await signIn(`spray-${i}-${randomUUID()}@ytm.test`, 'Winter2026!', `${attacker}, 10.9.9.9`))).toBe('UNAUTHENTICATED');
    }
    const user = await h.signUp('bystander');
    // Later hops differ but the first hop is the same client.
    const blocked = await signIn(user.user.email, user.password, `${attacker}, 10.1.2.3`);
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect((await signIn(user.user.email, user.password, `192.0.2.255, ${attacker}`)).data?.signIn.user.id).toBe(user.user.id);
  });

  it('applies the same rules to REST /auth/signin: 429, Retry-After and a JSON code', async () => {
    const user = await h.signUp('rest');
    const post = (password: string) =>
      fetch(`${h.url}/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address() },
        body: JSON.stringify({ email: user.user.email, password }),
      });
    for (let i = 0; i < 10; i++) {
      const r = await post('nope nope nope');
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Invalid email or password' } });
    }
    const r = await post(user.password);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await r.json()) as { error: { code: string; retryAfter: number } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.retryAfter).toBe(Number(r.headers.get('retry-after')));
  });
});

describe('signIn timing', () => {
  let slow: Harness;
  beforeAll(async () => {
    slow = await startHarness({ bcryptCost: 10 });
  });
  afterAll(async () => {
    await slow.close();
  });

  it('spends about the same time on an unknown email as on a wrong password', async () => {
    const user = await slow.signUp('timing');
    const time = async (email: string) => {
      const t = process.hrtime.bigint();
      const r = await slow.gql(SIGN_IN, { e: email, p: 'wrong password' }, undefined, { 'x-forwarded-for': address() });
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time(user.user.email));
      unknown.push(await time(`nobody-${i}-${randomUUID()}@ytm.test`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(unknown) / median(known);
    expect(median(known)).toBeGreaterThan(20); // bcrypt really ran
    // Without the dummy hash the ratio would be about 0.05; the bounds leave room for a busy machine
    // (a fresh-clone CI run at load average ~20 measured 2.25: FerretDB writes dominate both sides).
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(3);
  });
});

describe('the shared (MongoDB) throttle store', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    // Two replicas on one database.
    const env = { SIGNIN_THROTTLE_STORE: 'mongo', MONGODB_DB: `resource_it_shared_${randomUUID().slice(0, 8)}` };
    a = await startHarness({ env });
    b = await startHarness({ env });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('counts the failures of every replica against one account', async () => {
    const user = await a.signUp('sharedstore');
    for (let i = 0; i < 10; i++) {
      const replica = i % 2 === 0 ? a : b;
      const r = await replica.gql(SIGN_IN, { e: user.user.email, p: 'wrong password' }, undefined, { 'x-forwarded-for': address() });
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
    }
    // Each replica saw only 5 failures itself: the shared counter locks the account on both.
    for (const replica of [a, b]) {
      expect(codeOf(await replica.gql(SIGN_IN, { e: user.user.email, p: user.password }, undefined, { 'x-forwarded-for': address() }))).toBe('RATE_LIMITED');
    }
    const counter = await a.resource.conn.collection('signin_throttle').findOne({ key: `signin-account:${user.user.email}` });
    expect(counter?.points).toBeGreaterThanOrEqual(10);
  });
});
