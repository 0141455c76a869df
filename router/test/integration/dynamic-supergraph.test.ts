import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, printSchema, type GraphQLSchema } from 'graphql';
import { Writable } from 'node:stream';
import { createLogger } from '@ytm/logger';
import { metricsRegistry } from '@ytm/metrics';
import { waitFor } from '@ytm/testing';
import { RegistryService } from '../../src/registry/registry.service.js';
import { dynamicSupergraph } from '../../src/supergraph/dynamic-supergraph.js';

/** A real subgraph over HTTP whose SDL can be swapped (to simulate a redeploy). */
async function subgraph(sdl: string, resolvers: Record<string, unknown>) {
  const apollo = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }) });
  await apollo.start();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      void apollo
        .executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: JSON.parse(body) },
          context: async () => ({}),
        })
        .then((r) => {
          res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
          res.end(r.body.kind === 'complete' ? r.body.string : '');
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    close: async () => {
      await apollo.stop();
      server.close();
    },
  };
}

const A = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Query { hello: String! }';
const B = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Query { world: Int! }';
const B_BAD = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Query { hello: Int! }';
const B_V2 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Query { world: Int! planet: String }';

describe('dynamic supergraph (SUPERGRAPH_MODE=dynamic)', () => {
  const registry = new RegistryService();
  // What the supergraph hook logs, kept so tests can wait on it.
  const lines: Array<{ msg?: string; missing?: string[] }> = [];
  const logger = createLogger({
    name: 'test',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { msg?: string; missing?: string[] });
        done();
      },
    }),
  });
  /** ytm_supergraph_recompositions_total for one outcome, read in process. */
  const recompositions = async (outcome: string): Promise<number> => {
    const metric = metricsRegistry.getSingleMetric('ytm_supergraph_recompositions_total');
    const values = metric ? (await metric.get()).values : [];
    return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  };
  let a: Awaited<ReturnType<typeof subgraph>>;
  let b: Awaited<ReturnType<typeof subgraph>>;
  let gateway: ApolloGateway;
  let schema: GraphQLSchema | undefined;
  let swaps = 0;

  beforeAll(async () => {
    a = await subgraph(A, { Query: { hello: () => 'hi' } });
    b = await subgraph(B, { Query: { world: () => 42, planet: () => 'earth' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await a.close();
    await b.close();
  });

  const register = (name: string, url: string, sdl: string) =>
    registry.register({ name, instanceId: `${name}-1`, graphqlUrl: url, httpUrl: url, sdl, version: '1' });

  it('waits for every required subgraph, then composes', async () => {
    gateway = new ApolloGateway({
      supergraphSdl: dynamicSupergraph({ registry, logger, required: ['a', 'b'], onSwap: () => swaps++ }),
      logger: logger as never,
    });
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => (schema = apiSchema));
    const loading = gateway.load();
    register('a', a.url, A);
    // The hook looked again after a registered, and still waits for b.
    await waitFor(() => lines.some((l) => l.msg === 'waiting for subgraphs to register' && l.missing?.join() === 'b'), 5_000, 20, 'a wait for b alone');
    expect(schema).toBeUndefined();
    register('b', b.url, B);
    await loading;
    expect(printSchema(schema!)).toContain('world: Int!');
  });

  it('keeps the last good supergraph when a registration does not compose', async () => {
    const refused = await recompositions('not_composable');
    register('b', b.url, B_BAD);
    await waitFor(async () => (await recompositions('not_composable')) > refused, 5_000, 20, 'the registration refused');
    expect(printSchema(schema!)).toContain('world: Int!');
    expect(printSchema(schema!)).not.toContain('hello: Int!');
    expect(swaps).toBe(0);
  });

  it('swaps in a new supergraph after a health check when a registration changes its SDL', async () => {
    register('b', b.url, B_V2);
    await waitFor(() => printSchema(schema!).includes('planet'), 5_000, 50, 'recomposed schema');
    expect(swaps).toBe(1);
  });
});
