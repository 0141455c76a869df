import { subgraphServer } from '../support/subgraph-server.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloGateway } from '@apollo/gateway';
import { parse, printSchema, type GraphQLSchema } from 'graphql';
import { Writable } from 'node:stream';
import { createLogger } from '@ytm/logger';
import { metricsRegistry } from '@ytm/metrics';
import { waitFor } from '@ytm/testing';
import { RegistryService } from '../../src/registry/registry.service.js';
import { dynamicSupergraph } from '../../src/supergraph/dynamic-supergraph.js';

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
  let a: Awaited<ReturnType<typeof subgraphServer>>;
  let b: Awaited<ReturnType<typeof subgraphServer>>;
  let gateway: ApolloGateway;
  let schema: GraphQLSchema | undefined;
  let swaps = 0;

  beforeAll(async () => {
    a = await subgraphServer(A, { Query: { hello: () => 'hi' } });
    b = await subgraphServer(B, { Query: { world: () => 42, planet: () => 'earth' } });
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
