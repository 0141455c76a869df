import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { parse } from 'graphql';
import { AuthenticationError, type Authenticate, type Viewer } from '@ytm/auth';
import { closeServer, createApp, httpHandler, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { createSubgraphServer, type BaseContext, type SubgraphServer } from '../../src/index.js';

// Real HTTP on loopback: a subgraph's `/graphql` as a raw route in front of a real Koa app (which
// would answer 418 if `/graphql` reached it). Authentication is a fake: one token per user.
const lines: Array<Record<string, unknown>> = [];
const destination = new PassThrough();
destination.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
});
const logger = createLogger({ name: 'subgraph-server-test', level: 'info', destination });

const viewers: Record<string, Viewer> = {
  'token-a': { id: 'user-a', sessionId: 's-a', role: 'USER', plan: { tier: 'FREE', expiresAt: null } },
  'token-b': { id: 'user-b', sessionId: 's-b', role: 'ADMIN', plan: { tier: 'PREMIUM', expiresAt: null } },
};
const authenticate: Authenticate = async (credentials) => {
  if (credentials === undefined) return null;
  const token = typeof credentials === 'string' ? credentials.replace(/^Bearer /, '') : '';
  const viewer = viewers[token];
  if (!viewer) throw new AuthenticationError('INVALID');
  return { viewer, token, authorization: `Bearer ${token}`, expiresAt: new Date(Date.now() + 60_000) };
};

interface TestContext extends BaseContext {
  perRequest: { id: string };
}
let contexts = 0;
const typeDefs = parse(`
  type Query {
    caller(wait: Int): Caller!
    fails: String
  }
  type Caller {
    viewerId: String
    requestId: String!
    clientAddress: String
    perRequest: String!
  }
`);
const resolvers = {
  Query: {
    caller: async (_: unknown, { wait }: { wait?: number }, ctx: TestContext) => {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      ctx.log.info({ viewerId: ctx.viewer?.id }, 'caller resolved');
      return { viewerId: ctx.viewer?.id ?? null, requestId: ctx.requestId, clientAddress: ctx.clientAddress, perRequest: ctx.perRequest.id };
    },
    fails: () => {
      throw new Error('secret internal detail');
    },
  },
};

let subgraph: SubgraphServer;
let server: Server;
let url: string;

beforeAll(async () => {
  subgraph = await createSubgraphServer<TestContext>({
    typeDefs,
    resolvers,
    logger,
    production: true,
    authenticate,
    bodyLimitBytes: 2_000,
    context: (base) => ({ ...base, perRequest: { id: `context-${(contexts += 1)}` } }),
  });
  const app = createApp({
    logger,
    use: [
      async (ctx) => {
        ctx.status = 418;
      },
    ],
  });
  ({ server } = await listen(httpHandler(app, [subgraph.route]), '127.0.0.1', 0));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
});
afterAll(async () => {
  await closeServer(server, 100);
  await subgraph.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const CALLER = 'query($wait: Int) { caller(wait: $wait) { viewerId requestId clientAddress perRequest } }';

describe("a subgraph's /graphql below Koa", () => {
  it('answers with the verified viewer, the request id it echoes and the forwarded client address', async () => {
    const res = await post({ query: CALLER }, { authorization: 'Bearer token-a', 'x-request-id': 'req-1', 'x-forwarded-for': '::ffff:10.0.0.7, 10.0.0.1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(await res.clone().text())));
    const body = (await res.json()) as { data: { caller: Record<string, unknown> } };
    expect(body.data.caller).toEqual({ viewerId: 'user-a', requestId: 'req-1', clientAddress: '10.0.0.7', perRequest: expect.any(String) });
    // The access line and the request's own log line, bound to its request id.
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'caller resolved', requestId: 'req-1', viewerId: 'user-a' }),
        expect.objectContaining({ msg: 'request', requestId: 'req-1', path: '/graphql', status: 200 }),
      ]),
    );
  });

  it('gives each of concurrent requests its own viewer, context and request logger', async () => {
    const before = lines.length;
    const answers = await Promise.all(
      ['token-a', 'token-b', 'token-a', 'token-b'].map(async (token, i) => {
        const res = await post({ query: CALLER, variables: { wait: 40 - i * 10 } }, { authorization: `Bearer ${token}`, 'x-request-id': `concurrent-${i}` });
        return ((await res.json()) as { data: { caller: Record<string, string> } }).data.caller;
      }),
    );
    expect(answers.map((a) => [a.viewerId, a.requestId])).toEqual([
      ['user-a', 'concurrent-0'],
      ['user-b', 'concurrent-1'],
      ['user-a', 'concurrent-2'],
      ['user-b', 'concurrent-3'],
    ]);
    expect(new Set(answers.map((a) => a.perRequest)).size).toBe(4);
    const logged = lines.slice(before).filter((l) => l.msg === 'caller resolved');
    expect(logged.map((l) => [l.requestId, l.viewerId]).sort()).toEqual([
      ['concurrent-0', 'user-a'],
      ['concurrent-1', 'user-b'],
      ['concurrent-2', 'user-a'],
      ['concurrent-3', 'user-b'],
    ]);
  });

  it('refuses a token that does not verify, and serves an anonymous caller as anonymous', async () => {
    const refused = await post({ query: CALLER }, { authorization: 'Bearer forged' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const anonymous = await post({ query: CALLER });
    expect(((await anonymous.json()) as { data: { caller: { viewerId: unknown } } }).data.caller.viewerId).toBeNull();
  });

  it('answers bad bodies as client errors and masks internal errors', async () => {
    const malformed = await post('{"query": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', message: 'Malformed JSON body' } });
    const large = await post({ query: `{ caller { viewerId } } # ${'x'.repeat(3_000)}` });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const failed = await post({ query: '{ fails }' }, { authorization: 'Bearer token-b' });
    const text = await failed.text();
    expect(text).not.toContain('secret internal detail');
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  it('leaves every other path to the app', async () => {
    expect((await fetch(url.replace('/graphql', '/graphql/more'))).status).toBe(418);
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
  });
});
