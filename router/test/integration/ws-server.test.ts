import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema, type ValidationRule } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Authenticate } from '@ytm/auth';
import { createLogger } from '@ytm/logger';
import { ConnectionLimits } from '../../src/limits/connection-limits.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../../src/limits/remembered-documents.js';
import { SubscriptionHub } from '../../src/subscriptions/subscription-hub.js';
import { startSubscriptionServer } from '../../src/subscriptions/ws-server.js';

// The router's graphql-ws server over a real WebSocket; queries it hands to `executeOperation` are answered here.
const schema = buildSchema('type Query { me: User } type User { id: ID! } type Subscription { x: Int }');
const logger = createLogger({ name: 'test', level: 'silent' });
const authenticate: Authenticate = async () => ({
  viewer: { id: 'u1', sessionId: 's1', role: 'USER', plan: { tier: 'FREE', expiresAt: null } },
  token: 't',
  authorization: 'Bearer t',
  expiresAt: new Date(Date.now() + 3_600_000),
});
/** Times a document was validated (the server's extra rules run with every validation). */
let validations = 0;
const counting: ValidationRule = () => {
  validations += 1;
  return {};
};

let server: http.Server;
let ws: ReturnType<typeof startSubscriptionServer>;
let client: Client;

beforeAll(async () => {
  server = http.createServer();
  ws = startSubscriptionServer({
    server,
    path: '/graphql',
    hub: new SubscriptionHub(async () => ({ data: {} }), logger),
    schema: () => schema,
    authenticate,
    validationRules: [counting],
    production: false,
    executeOperation: async () => ({ data: { me: { id: 'u1' } } }),
    logger,
    maxSubscriptionsPerConnection: 5,
    connectionLimits: new ConnectionLimits({ connectionsPerUser: 5, connectionsPerAddress: 5, subscriptionsPerUser: 5 }),
    trustProxy: false,
    queueLimit: 10,
    slowConsumerGraceMs: 1_000,
    checkCost: async () => undefined,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = createClient({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
});

afterAll(async () => {
  await client?.dispose();
  await ws?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function run(query: string): Promise<unknown[]> {
  const results: unknown[] = [];
  for await (const result of client.iterate({ query })) results.push(result);
  return results;
}

describe('the WebSocket server', () => {
  it(`checks a document once per schema, one longer than ${MAX_REMEMBERED_QUERY_LENGTH} characters every time (nothing of it kept)`, async () => {
    const query = '{ me { id } }';
    const before = validations;
    for (let i = 0; i < 3; i++) expect(await run(query)).toEqual([{ data: { me: { id: 'u1' } } }]);
    expect(validations).toBe(before + 1);
    // Padded with whitespace and a comment (no tokens), within the socket's message limit.
    const padded = `${query}\n${' '.repeat(60_000)}\n# ${'x'.repeat(60_000)}\n`;
    for (let i = 0; i < 3; i++) expect(await run(padded)).toEqual([{ data: { me: { id: 'u1' } } }]);
    expect(validations).toBe(before + 4);
  });
});
