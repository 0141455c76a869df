import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { subgraphServer } from '../support/subgraph-server.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloGateway } from '@apollo/gateway';
import type { Authenticate } from '@ytm/auth';
import { createLogger } from '@ytm/logger';
import { metricsRegistry } from '@ytm/metrics';
import { createGraphQLServer } from '../../src/http/graphql-server.js';
import { ConcurrencyLimit } from '../../src/limits/concurrency-limit.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../../src/limits/remembered-documents.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { compose } from '../../src/supergraph/compose.js';
import { DirectFetches } from '../../src/supergraph/direct-fetch.js';
import { RoutedDataSource } from '../../src/supergraph/routed-data-source.js';
import { SubgraphClient } from '../../src/supergraph/subgraph-client.js';
import { SubgraphRouting } from '../../src/supergraph/subgraph-routing.js';

// The router's /graphql as composition.ts builds it (Apollo Server over the gateway, direct answers,
// the router's own HTTP path for known documents) in front of two real subgraphs over HTTP.

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
const USERS = `${LINK}
  type Query { me: User! albums(first: Int = 10): [Album!]! }
  type Mutation { rename(name: String!): User! }
  type User @key(fields: "id") { id: ID! name: String! }
  type Album { id: ID! title: String! }`;
const STATS = `${LINK}
  type User @key(fields: "id") { id: ID! renames: Int! }`;

let name = 'Ann';
let renames = 0;
/** Mutation requests the users subgraph holds until `mutationsHeld` of them arrived (so two run side by side). */
let mutationsHeld = 1;
const heldMutations: Array<() => void> = [];
/** Entity requests the stats subgraph received; each is answered after `entityDelayMs`. */
let entityRequests = 0;
const entityDelayMs = 300;

const authenticate: Authenticate = async (credentials) =>
  typeof credentials === 'string'
    ? {
        viewer: { id: 'u1', sessionId: 's1', role: 'USER', plan: { tier: 'FREE', expiresAt: null } },
        token: 't',
        authorization: credentials,
        expiresAt: new Date(Date.now() + 3_600_000),
      }
    : null;

const MAX_COST = 1_000;
let users: Awaited<ReturnType<typeof subgraphServer>>;
let stats: Awaited<ReturnType<typeof subgraphServer>>;
let client: SubgraphClient;
let stopApollo: (() => Promise<void>) | undefined;
let router: http.Server;
let url: string;

beforeAll(async () => {
  users = await subgraphServer(
    USERS,
    {
      Query: {
        me: () => ({ id: 'u1', name }),
        albums: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_, i) => ({ id: `a${i}`, title: `A${i}` })),
      },
      Mutation: {
        rename: (_: unknown, args: { name: string }) => {
          name = args.name;
          renames += 1;
          return { id: 'u1', name };
        },
      },
      User: { __resolveReference: () => ({ id: 'u1', name }) },
    },
    (body, go) => {
      if (!body.includes('"query":"mutation')) return go();
      heldMutations.push(go);
      if (heldMutations.length >= mutationsHeld) for (const run of heldMutations.splice(0)) run();
    },
  );
  stats = await subgraphServer(STATS, { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, renames }) } }, (body, go) => {
    if (!body.includes('_entities')) return go();
    entityRequests += 1;
    setTimeout(go, entityDelayMs);
  });
  const composed = compose([
    { name: 'users', url: users.url, sdl: USERS },
    { name: 'stats', url: stats.url, sdl: STATS },
  ]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  client = new SubgraphClient(5_000);
  const routing = new SubgraphRouting(new RegistryService(), {});
  const logger = createLogger({ name: 'test', level: 'silent' });
  const directFetches = new DirectFetches((service) => service instanceof RoutedDataSource);
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ name: service, url: at }) => new RoutedDataSource(service, at ?? '', routing, client),
    logger: logger as never,
    experimental_didResolveQueryPlan: directFetches.learn,
  });
  const graphql = createGraphQLServer({
    gateway,
    directFetches,
    logger,
    production: false,
    authenticate,
    limits: { maxDepth: 10, maxAliases: 10, maxTokens: 1_000, maxCost: MAX_COST, userCostPerMinute: 1_000_000, anonymousRequestsPerMinute: 1_000 },
    bodyLimitBytes: 2_000_000,
    trustProxy: false,
    concurrency: new ConcurrencyLimit({ perAddress: 100, mediaPerAddress: 10, isMedia: () => false }),
  });
  await graphql.server.start();
  stopApollo = () => graphql.server.stop();
  router = http.createServer((req, res) => {
    if (graphql.route(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => router.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(router.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  router?.closeAllConnections();
  await new Promise((r) => router?.close(r));
  await stopApollo?.();
  await client?.close();
  await users?.close();
  await stats?.close();
});

async function post(query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> } };
}

/** A counter of the router's (this file's process-wide registry), summed over its labels. */
async function count(metric: string): Promise<number> {
  const values = (await metricsRegistry.getSingleMetric(metric)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}
const knownAnswers = () => count('ytm_router_known_operation_answers_total');
const directAnswers = () => count('ytm_router_direct_fetches_total');

describe('the router’s /graphql (real gateway and subgraphs over HTTP)', () => {
  it("charges a variable the request leaves out at the operation's default, on its own HTTP path too", async () => {
    const query = 'query Albums($n: Int = 5000) { albums(first: $n) { id } }';
    const knownBefore = await knownAnswers();
    // Planned by the gateway, then answered directly, then known: the third is answered on the router's own path.
    for (let i = 0; i < 3; i++) expect(await post(query, { n: 2 })).toEqual({ status: 200, body: { data: { albums: [{ id: 'a0' }, { id: 'a1' }] } } });
    expect(await knownAnswers()).toBe(knownBefore + 1);
    // Without `n`: 5,000 albums, not the schema's 10.
    for (const variables of [{}, undefined]) {
      const refused = await post(query, variables);
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 5_000, maxCost: MAX_COST });
    }
    // A new document sent without `n` the first time: Apollo Server's pipeline charges it alike.
    const fresh = await post('query Fresh($n: Int = 5000) { albums(first: $n) { title } }', {});
    expect(fresh.status).toBe(400);
    expect(fresh.body.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', cost: 5_000 });
  });

  it(`answers a document longer than ${MAX_REMEMBERED_QUERY_LENGTH} characters every time, remembering nothing of it`, async () => {
    // Padded with what is no token (whitespace, a comment) to ~1 MB: within the token and body limits.
    const padded = `query Me {\n${' '.repeat(500_000)}\n# ${'x'.repeat(500_000)}\n me { id name } }`;
    const [knownBefore, directBefore] = [await knownAnswers(), await directAnswers()];
    for (let i = 0; i < 4; i++) expect(await post(padded)).toEqual({ status: 200, body: { data: { me: { id: 'u1', name } } } });
    // Neither answered directly (a remembered plan) nor on the router's own path (a remembered document).
    expect(await directAnswers()).toBe(directBefore);
    expect(await knownAnswers()).toBe(knownBefore);
    // The same operation, unpadded, is remembered as before.
    for (let i = 0; i < 3; i++) expect(await post('query Me { me { id name } }')).toEqual({ status: 200, body: { data: { me: { id: 'u1', name } } } });
    // (The plan run directly twice: the second time on the router's own path.)
    expect(await directAnswers()).toBe(directBefore + 2);
    expect(await knownAnswers()).toBe(knownBefore + 1);
  });

  it('shares no subgraph fetch of a mutation, its entity fetches after the write included', async () => {
    const mutation = 'mutation { rename(name: "Bo") { id name renames } }';
    // Two identical mutations by one user, side by side: each entity fetch (stats, after the write) goes out on its own.
    mutationsHeld = 2;
    const [entitiesBefore, sharedBefore, renamesBefore] = [entityRequests, client.shared, renames];
    const answers = await Promise.all([post(mutation), post(mutation)]);
    mutationsHeld = 1;
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: { data: { rename: { id: 'u1', name: 'Bo', renames: renamesBefore + 2 } } } });
    expect(renames).toBe(renamesBefore + 2);
    expect(entityRequests - entitiesBefore).toBe(2);
    expect(client.shared).toBe(sharedBefore);
    // The same read side by side still shares its fetches.
    const read = 'query { me { id name renames } }';
    const reads = await Promise.all([post(read), post(read)]);
    for (const answer of reads) expect(answer.body).toEqual({ data: { me: { id: 'u1', name: 'Bo', renames: renamesBefore + 2 } } });
    expect(client.shared).toBeGreaterThan(sharedBefore);
  });
});
