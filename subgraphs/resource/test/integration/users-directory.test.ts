import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const USERS = `query($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id email displayName role plan { tier expiresAt } } }
  }
}`;

interface UserPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string; email: string; displayName: string; role: string; plan: { tier: string } } }>;
}

let h: Harness;
let admin: TestSession;
const tag = `dir${randomUUID().slice(0, 6)}`;
let made: TestSession[];

beforeAll(async () => {
  h = await startHarness();
  admin = await h.signInAdmin();
  made = [];
  for (let i = 0; i < 5; i++) made.push(await h.signUp(`${tag}${i}`));
});
afterAll(async () => {
  await h.close();
});

async function list(vars: Record<string, unknown>, token = admin.accessToken): Promise<UserPage> {
  const r = await h.gql(USERS, vars, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.users as UserPage;
}

describe('users (the admin users page)', () => {
  it('is ADMIN only: FORBIDDEN for a user, UNAUTHENTICATED without a token, and no data either way', async () => {
    const user = made[0]!;
    const asUser = await h.gql(USERS, { first: 5 }, user.accessToken);
    expect(codeOf(asUser)).toBe('FORBIDDEN');
    expect(asUser.data?.users ?? null).toBeNull();
    expect(codeOf(await h.gql(USERS, { search: tag }, user.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(USERS, { first: 5 }))).toBe('UNAUTHENTICATED');
  });

  it('pages through every user in email order, each once, with the total', async () => {
    const seen: UserPage['edges'] = [];
    let after: string | null = null;
    let total = -1;
    for (let guard = 0; guard < 50; guard++) {
      const page: UserPage = await list({ first: 2, after });
      total = page.totalCount;
      seen.push(...page.edges);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const emails = seen.map((e) => e.node.email);
    expect(emails).toEqual([...emails].sort());
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.length).toBe(total);
    for (const u of made) expect(emails).toContain(u.user.email);
    expect(seen.find((e) => e.node.role === 'ADMIN')).toBeDefined();
  });

  it('searches email and display name, ignoring case, with the plan to hand', async () => {
    const byEmail = await list({ search: `  ${made[2]!.user.email.toUpperCase()} ` });
    expect(byEmail.edges.map((e) => e.node.id)).toEqual([made[2]!.user.id]);
    expect(byEmail.totalCount).toBe(1);
    expect(byEmail.edges[0]!.node.plan.tier).toBe('FREE');
    const byName = await list({ search: made[3]!.user.displayName.toUpperCase() });
    expect(byName.edges.map((e) => e.node.id)).toEqual([made[3]!.user.id]);
    const all = await list({ search: tag, first: 3 });
    expect(all.totalCount).toBe(5);
    expect(all.pageInfo.hasNextPage).toBe(true);
    const rest = await list({ search: tag, first: 3, after: all.pageInfo.endCursor });
    expect([...all.edges, ...rest.edges].map((e) => e.node.id).sort()).toEqual(made.map((u) => u.user.id).sort());
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('matches a rename made here at once, and one another replica made once its announcement arrives', async () => {
    const renamed = await h.gql('mutation { updateProfile(displayName: "Here Renamed Zq") { id } }', {}, made[0]!.accessToken);
    expect(renamed.errors).toBeUndefined();
    expect((await list({ search: 'here renamed zq' })).edges.map((e) => e.node.id)).toEqual([made[0]!.user.id]);
    // Written behind this replica's back (as another replica would), then announced through Kafka.
    // (The names were read again for the search above, a moment ago: far within their 10 s age limit.)
    await h.resource.conn.collection('users').updateOne({ _id: made[1]!.user.id as never }, { $set: { displayName: 'Elsewhere Renamed Zq' } });
    expect((await list({ search: 'elsewhere renamed zq' })).totalCount).toBe(0);
    await h.announceUserChange(made[1]!.user.id);
    await waitFor(async () => (await list({ search: 'elsewhere renamed zq' })).totalCount === 1, 10_000, 50, 'the announced rename matched');
  });

  it('lists at once a user written before the email claims existed, once a sign-up with its email claimed it for them', async () => {
    const total = (await list({ first: 1 })).totalCount;
    // A user from before `user_emails` (no claim), written behind the directory's back.
    const email = `${tag}-old-${randomUUID().slice(0, 6)}@ytm.test`;
    const id = randomUUID();
    const now = new Date();
    await h.resource.conn.collection('users').insertOne({
      _id: id,
      email,
      displayName: 'From Before',
      passwordHash: 'x',
      role: 'USER',
      plan: { tier: 'FREE', expiresAt: null },
      createdAt: now,
      updatedAt: now,
    } as never);
    expect((await list({ first: 1 })).totalCount).toBe(total);
    const taken = await h.gql('mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
      input: { email, password: 'correct horse battery', displayName: 'Someone Else' },
    });
    expect(codeOf(taken)).toBe('CONFLICT');
    // The claim now names the existing user: listed, and counted once.
    const after = await list({ search: email });
    expect(after.edges.map((e) => e.node.id)).toEqual([id]);
    const page = await list({ first: 100 });
    expect(page.totalCount).toBe(total + 1);
  });

  it('matches the search literally: regular-expression characters match nothing special', async () => {
    expect((await list({ search: `${tag}.*` })).totalCount).toBe(0);
    expect((await list({ search: '.*' })).totalCount).toBe(0);
    expect((await list({ search: '(' })).totalCount).toBe(0);
  });

  it.each([
    ['a search over 100 characters', { search: 'x'.repeat(101) }, 'search'],
    ['first above 100', { first: 101 }, 'first'],
    ['first 0', { first: 0 }, 'first'],
    ['a cursor that is no cursor', { after: 'nope' }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_, vars, field) => {
    const r = await h.gql(USERS, vars, admin.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a cursor of another search', async () => {
    const page = await list({ search: tag, first: 1 });
    const r = await h.gql(USERS, { first: 1, after: page.pageInfo.endCursor }, admin.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
