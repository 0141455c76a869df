import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { codeOf, startHarness, type Harness } from './harness.js';

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id email } } }';
const SIGN_IN = 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }';
const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const counts = async () => {
  const db = h.resource.conn;
  const [users, emails, sessions, tokens] = await Promise.all(
    ['users', 'user_emails', 'sessions', 'session_tokens'].map((c) => db.collection(c).countDocuments()),
  );
  return { users, emails, sessions, tokens };
};

it('two concurrent sign-ups with one email (in different case) give one account; the other is a CONFLICT', async () => {
  const input = (email: string) => ({ input: { email, password: 'correct horse battery', displayName: 'Twin' } });
  const [a, b] = await Promise.all([h.gql(SIGN_UP, input('twin@ytm.test')), h.gql(SIGN_UP, input('  TWIN@ytm.test '))]);
  const won = [a, b].filter((r) => r.data?.signUp);
  const lost = [a, b].filter((r) => !r.data?.signUp);
  expect(won).toHaveLength(1);
  expect(lost.map((r) => [codeOf(r), r.errors?.[0]?.message])).toEqual([['CONFLICT', 'An account with this email already exists']]);
  expect(await h.resource.conn.collection('users').countDocuments({ email: 'twin@ytm.test' })).toBe(1);
  const signedIn = await h.gql(SIGN_IN, { e: 'Twin@ytm.test', p: 'correct horse battery' });
  expect(signedIn.data?.signIn.user.id).toBe(won[0]!.data!.signUp.user.id);
});

it('bad input to signUp, signIn and refreshSession is refused and writes nothing', async () => {
  await h.signUp('present');
  const before = await counts();
  const bad = [
    await h.gql(SIGN_UP, { input: { email: 'not an email', password: 'correct horse battery', displayName: 'X' } }),
    await h.gql(SIGN_UP, { input: { email: 'short@ytm.test', password: 'x', displayName: 'X' } }),
    await h.gql(SIGN_IN, { e: 'nobody@ytm.test', p: 'correct horse battery' }),
    await h.gql(SIGN_IN, { e: 'x'.repeat(500), p: 'y' }),
    await h.gql(REFRESH, { t: 'rt_never-issued' }),
    await h.gql(REFRESH, { t: '' }),
  ];
  expect(bad.map(codeOf)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
  for (const r of bad) expect(JSON.stringify(r.errors)).not.toMatch(/stack|at .*\.js/);
  expect(await counts()).toEqual(before);
});
