import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { writeWav } from './corpus.js';
import { dropSystemDatabases } from './databases.js';
import { metricSum } from './ops-probe.js';
import { startSystem } from '../../scripts/system.mjs';
import { gql, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;
type Plan = 'pass-through' | 'reshaped' | 'entity-fetches';

/**
 * Issue 20: simple plans (a root fetch, optionally followed by entity fetches) are run by the router
 * without the gateway's execution once the gateway has run them once. The gateway's own answer (the
 * first request of each operation) is the reference: the direct answer must be the same text, byte
 * for byte.
 */
describe('direct runs of simple plans (real router and subgraphs)', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2edirect');
  const music = mkdtempSync(join(tmpdir(), 'ytm-music-'));
  let system: System;
  let token: string;

  /** The raw answer (status, Content-Type, Retry-After and text), as a client reads it. */
  const send = async (body: Record<string, unknown>, options: { auth?: string; accept?: string; contentType?: string } = {}) => {
    const { auth = token, accept, contentType = 'application/json' } = options;
    const res = await fetch(system.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(accept ? { accept } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), text: await res.text() };
  };
  const post = (query: string, variables: Record<string, unknown> = {}, auth: string | undefined = token, operationName?: string) =>
    send({ query, variables, operationName }, { auth });
  /** Requests the router answered below Apollo Server (known documents). */
  const knownCount = () => metricSum(system.services.router.opsUrl, 'ytm_router_known_operation_answers_total');
  /** Operations the router has answered without the gateway's execution (of one kind of plan, or all). */
  const directCount = (plan?: Plan) => metricSum(system.services.router.opsUrl, 'ytm_router_direct_fetches_total', plan ? { plan } : {});
  /** Requests a subgraph's /graphql has answered (its own metrics). */
  const graphqlRequests = (service: 'library' | 'resource') =>
    metricSum(system.services[service].opsUrl, 'ytm_http_request_duration_seconds_count', { route: '/graphql' });

  beforeAll(async () => {
    for (let t = 1; t <= 3; t++) writeWav(join(music, `${t}.wav`), { title: `Song ${t}`, artist: 'Direct Artist', album: 'Direct Album', track: t });
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      // A cost budget the budget test spends in a few requests (the other tests spend a fraction of it).
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music, USER_COST_PER_MINUTE: '10000' },
    });
    const r = await gql(system.graphqlUrl, SIGN_UP, {
      input: { email: `direct-${randomUUID().slice(0, 6)}@example.com`, password: 'password 1234', displayName: 'Dee' },
    });
    token = r.data!.signUp.accessToken as string;
    await waitFor(
      async () => (await gql(system.graphqlUrl, '{ tracks { totalCount } }', {}, token)).data?.tracks.totalCount === 3,
      30_000,
      100,
      '3 tracks scanned',
    );
    // One liked track of three: the answers carry both values of `liked`.
    const first = (await gql(system.graphqlUrl, '{ tracks(first: 1) { edges { node { id } } } }', {}, token)).data!.tracks.edges[0].node.id as string;
    expect((await gql(system.graphqlUrl, 'mutation($t: ID!) { likeTrack(trackId: $t) { liked } }', { t: first }, token)).data).toEqual({
      likeTrack: { liked: true },
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(music, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  const TRACK = 'id title duration album { id title } artists { id name }';
  const cases: Array<{ name: string; plan: Plan; query: string; variables?: Record<string, unknown>; operationName?: string }> = [
    { name: 'me', plan: 'pass-through', query: '{ me { id displayName email } }' },
    {
      name: 'a page of tracks',
      plan: 'pass-through',
      query: `query Page($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} } } totalCount } }`,
      variables: { n: 2 },
      operationName: 'Page',
    },
    {
      name: 'tracks → album → artist → albums',
      plan: 'pass-through',
      query:
        'query($n: Int!) { tracks(first: $n) { edges { node { id title album { id title artist { id name albums(first: 5) { edges { node { id title } } } } } } } } }',
      variables: { n: 3 },
    },
    {
      name: 'aliases, repeated keys and fragments',
      plan: 'pass-through',
      query: 'query { a: me { ...U } b: me { displayName } me { __typename id } } fragment U on User { id ... on User { email } }',
    },
    { name: 'one fetch the planner reordered (reshaped)', plan: 'reshaped', query: '{ me { id __typename displayName } }' },
    // Passed on as text only when the subgraph's answer is data alone: a field aliased `errors` or `extensions` is read and written again.
    { name: 'fields aliased errors and extensions', plan: 'pass-through', query: '{ me { errors: displayName extensions: id } }' },
    {
      name: 'liked: library, then resource for the same tracks',
      plan: 'entity-fetches',
      query: `query($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} liked } } } }`,
      variables: { n: 3 },
    },
    {
      name: 'an album with its tracks and artist, liked and fragments',
      plan: 'entity-fetches',
      query: 'query($n: Int!) { albums(first: $n) { edges { node { title artist { name } tracks { ...T } } } } } fragment T on Track { id liked title }',
      variables: { n: 1 },
    },
    {
      name: 'a default variable',
      plan: 'pass-through',
      query: 'query($n: Int = 1) { tracks(first: $n) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }',
    },
  ];

  it.each(cases)('$name: the direct answer is the gateway’s answer, byte for byte', async ({ plan, query, variables = {}, operationName }) => {
    const before = await directCount();
    const beforeOfPlan = await directCount(plan);
    const reference = await post(query, variables, token, operationName);
    expect(reference.status).toBe(200);
    expect(JSON.parse(reference.text).errors).toBeUndefined();
    expect(await directCount()).toBe(before);

    const knownBefore = await knownCount();
    const direct = await post(query, variables, token, operationName);
    expect(await directCount()).toBe(before + 1);
    expect(await directCount(plan)).toBe(beforeOfPlan + 1);
    expect(direct).toEqual(reference);
    expect(await knownCount()).toBe(knownBefore);

    // Known now: answered below Apollo Server, still the same bytes and headers.
    const known = await post(query, variables, token, operationName);
    expect(await knownCount()).toBe(knownBefore + 1);
    expect(await directCount(plan)).toBe(beforeOfPlan + 2);
    expect(known).toEqual(reference);
  });

  it('a mutation answered directly does its write once and answers as the gateway does', async () => {
    const rename = 'mutation($n: String!) { updateProfile(displayName: $n) { id displayName } }';
    const first = await post(rename, { n: 'First Name' });
    const before = await directCount();
    const requests = await graphqlRequests('resource');
    const second = await post(rename, { n: 'Second Name' });
    expect(await directCount()).toBe(before + 1);
    expect(await graphqlRequests('resource')).toBe(requests + 1);
    expect(second.text).toBe(first.text.replace('First Name', 'Second Name'));
    // Known now: below Apollo Server, still one write.
    const known = await knownCount();
    const third = await post(rename, { n: 'Third Name' });
    expect(await knownCount()).toBe(known + 1);
    expect(await graphqlRequests('resource')).toBe(requests + 2);
    expect(third).toEqual({ ...first, text: first.text.replace('First Name', 'Third Name') });
    expect(JSON.parse((await post('{ me { displayName } }')).text)).toEqual({ data: { me: { displayName: 'Third Name' } } });
    // A value that reads like a key inside a string (quotes escaped) is still data only: passed on as the subgraph wrote it.
    const quoted = 'Dee "errors": [] "extensions": {} \\ \u00e9 \ud83c\udfb5';
    await post(rename, { n: quoted });
    const me = '{ me { id displayName } }';
    const reference = await post(me);
    expect(JSON.parse(reference.text)).toEqual({ data: { me: { id: expect.any(String), displayName: quoted } } });
    await post(me);
    const knownBefore = await knownCount();
    expect(await post(me)).toEqual(reference);
    expect(await knownCount()).toBe(knownBefore + 1);
  });

  it('an answer with errors goes through the gateway with the fetch already made: same answer, one subgraph request', async () => {
    // Only an administrator may list users: resource answers everyone else with FORBIDDEN at `users`.
    const query = '{ users(first: 1) { totalCount } }';
    const reference = await post(query);
    expect(JSON.parse(reference.text)).toEqual({
      errors: [{ message: 'Only administrators may list users', path: ['users'], extensions: { code: 'FORBIDDEN' } }],
      data: null,
    });
    const before = await directCount();
    const requests = await graphqlRequests('resource');
    const again = await post(query);
    expect(again).toEqual(reference);
    expect(await graphqlRequests('resource')).toBe(requests + 1);
    expect(await directCount()).toBe(before);
  });

  it('bad variables get the gateway’s error and reach no subgraph', async () => {
    const learnt = 'query($n: Int!) { tracks(first: $n) { totalCount } }';
    // The same operation in other words (another document): its answer comes from the gateway's path.
    const unlearnt = `${learnt} `;
    const reference = await post(unlearnt, { n: 'many' });
    expect(JSON.parse(reference.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await post(learnt, { n: 1 });
    const before = await directCount();
    const requests = await graphqlRequests('library');
    for (const variables of [{ n: 'many' }, {}, { n: null }]) {
      const bad = await post(learnt, variables);
      const gateway = await post(unlearnt, variables);
      expect(bad).toEqual(gateway);
      expect(bad.status).toBe(400);
    }
    expect(await directCount()).toBe(before);
    expect(await graphqlRequests('library')).toBe(requests);
  });
  it('a failed entity fetch goes through the gateway with both fetches handed over: the gateway’s answer', async () => {
    const learnt = 'query($n: Int!) { tracks(first: $n) { edges { node { id title liked } } } }';
    const unlearnt = `${learnt} `;
    expect(JSON.parse((await post(learnt, { n: 2 })).text).errors).toBeUndefined();
    const libraryBefore = await graphqlRequests('library');
    await system.services.resource.stop();
    try {
      const before = await directCount();
      const direct = await post(learnt, { n: 2 });
      const gateway = await post(unlearnt, { n: 2 });
      expect(direct).toEqual(gateway);
      expect(JSON.parse(direct.text).errors.length).toBeGreaterThan(0);
      expect(await directCount()).toBe(before);
      // One library fetch per request: the direct run's was handed over, not sent again.
      expect(await graphqlRequests('library')).toBe(libraryBefore + 2);
    } finally {
      await system.services.resource.restart();
    }
  });

  /** Sends a document until it is known (the gateway's run, then a direct run through Apollo Server). */
  const makeKnown = async (query: string, variables: Record<string, unknown> = {}) => {
    for (let i = 0; i < 2; i++) expect(JSON.parse((await post(query, variables)).text).errors).toBeUndefined();
    const before = await knownCount();
    const answer = await post(query, variables);
    expect(await knownCount()).toBe(before + 1);
    return answer;
  };

  it('a known document gets the Content-Type Apollo Server chooses for each Accept header', async () => {
    const query = 'query Accepting { me { id } }';
    const reference = await makeKnown(query);
    expect(reference.type).toBe('application/json; charset=utf-8');
    const accepts = [
      ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
      ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
      ['application/json', 'application/json; charset=utf-8'],
      ['*/*', 'application/json; charset=utf-8'],
    ] as const;
    for (const [accept, type] of accepts) {
      const body = { query, variables: {} };
      // The first request with an Accept header is Apollo Server's (it chooses); later ones are the router's with its choice.
      const first = await send(body, { accept });
      const before = await knownCount();
      const second = await send(body, { accept });
      expect(await knownCount()).toBe(before + 1);
      expect(first).toEqual({ ...reference, type });
      expect(second).toEqual(first);
    }
    // Nothing Apollo Server can answer with: its 406, every time.
    const before = await knownCount();
    const refused = [await send({ query }, { accept: 'image/png' }), await send({ query }, { accept: 'image/png' })];
    expect(refused.map((r) => r.status)).toEqual([406, 406]);
    expect(refused[1]).toEqual(refused[0]);
    expect(await knownCount()).toBe(before);
  });

  it('on a known document, every refusal is Apollo Server’s own and reaches no subgraph', async () => {
    const learnt = 'query($n: Int!) { tracks(first: $n) { edges { node { id title } } } }';
    await makeKnown(learnt, { n: 2 });
    // The same operation in other words (another document, never known): Apollo Server's answers.
    let spaces = 0;
    const unlearnt = () => `${learnt}${' '.repeat(++spaces)}`;
    const before = await knownCount();
    const requests = await graphqlRequests('library');
    const pairs: Array<{ name: string; body: (query: string) => Record<string, unknown>; options?: Parameters<typeof send>[1]; status: number }> = [
      { name: 'no token', body: (query) => ({ query, variables: { n: 2 } }), options: { auth: '' }, status: 401 },
      { name: 'a token that does not verify', body: (query) => ({ query, variables: { n: 2 } }), options: { auth: 'not.a.token' }, status: 401 },
      { name: 'a simple content type (CSRF)', body: (query) => ({ query, variables: { n: 2 } }), options: { contentType: 'text/plain' }, status: 400 },
      { name: 'over the cost limit', body: (query) => ({ query, variables: { n: 1_000_000 } }), status: 400 },
      { name: 'an operation name it does not have', body: (query) => ({ query, variables: { n: 2 }, operationName: 'Other' }), status: 400 },
      { name: 'an empty operation name', body: (query) => ({ query, variables: { n: 2 }, operationName: '' }), status: 400 },
      { name: 'variables as a string', body: (query) => ({ query, variables: '{"n":2}' }), status: 400 },
    ];
    for (const { name, body, options, status } of pairs) {
      const known = await send(body(learnt), options);
      const apollo = await send(body(unlearnt()), options);
      expect({ name, ...known }).toEqual({ name, ...apollo });
      expect({ name, status: known.status }).toEqual({ name, status });
    }
    expect(await knownCount()).toBe(before);
    expect(await graphqlRequests('library')).toBe(requests);
    // Extensions in the body: Apollo Server's path, answered as before.
    const extended = await send({ query: learnt, variables: { n: 2 }, extensions: {} });
    expect(JSON.parse(extended.text).data.tracks.edges).toHaveLength(2);
    expect(await knownCount()).toBe(before);
  });

  it('known documents are charged to the cost budget as on Apollo Server’s path, once when handed over', async () => {
    const query = 'query($n: Int!) { tracks(first: $n) { edges { node { id album { id artist { id } } artists { id } } } } }';
    await makeKnown(query, { n: 100 });
    /** Alternates a good request and one with bad variables (charged, then refused) until the budget refuses; the good answers counted. */
    const spend = async (auth: string, text: (i: number) => string) => {
      for (let i = 0; i < 200; i++) {
        const variables = i % 2 === 0 ? { n: 100 } : { n: 'many' };
        const r = await send({ query: text(i), variables }, { auth });
        if (r.status === 429) return { answered: i, refusal: { ...JSON.parse(r.text), retryAfter: Number(r.retryAfter) > 0 } };
        expect(r.status).toBe(i % 2 === 0 ? 200 : 400);
      }
      throw new Error('the budget never refused');
    };
    const fresh = async (name: string) =>
      (
        await gql(system.graphqlUrl, SIGN_UP, {
          input: { email: `${name}-${randomUUID().slice(0, 6)}@example.com`, password: 'password 1234', displayName: name },
        })
      ).data!.signUp.accessToken as string;
    const before = await knownCount();
    const known = await spend(await fresh('known'), () => query);
    const knownAnswers = (await knownCount()) - before;
    // Another user, every request a document Apollo Server has not seen.
    const apollo = await spend(await fresh('apollo'), (i) => `${query}${' '.repeat(i + 1)}`);
    expect(known).toEqual(apollo);
    expect(known.answered).toBeGreaterThan(4);
    expect(knownAnswers).toBe(Math.ceil(known.answered / 2));
    expect(known.refusal).toEqual({
      errors: [{ message: 'Too many requests; slow down', extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } }],
      retryAfter: true,
    });
  });

  it('known answers are recorded in the operation metrics by name, as Apollo Server records them', async () => {
    const query = 'query Measured { me { email } }';
    await makeKnown(query);
    const series = { operation: 'Measured', type: 'query', outcome: 'ok' };
    const before = await metricSum(system.services.router.opsUrl, 'ytm_graphql_operation_duration_seconds_count', series);
    const known = await knownCount();
    await post(query);
    expect(await knownCount()).toBe(known + 1);
    expect(await metricSum(system.services.router.opsUrl, 'ytm_graphql_operation_duration_seconds_count', series)).toBe(before + 1);
  });
});
