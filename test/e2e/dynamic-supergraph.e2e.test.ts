import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, RegistryClient, unaryCall } from '@ytm/proto';
import { ServiceIdentity } from '@ytm/trust';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { dropSystemDatabases } from './databases.js';
import { startSystem, ROOT } from '../../scripts/system.mjs';
import { gql, SIGN_UP } from './graphql-client.js';
import { metricValue, waitForSubscribers } from './ops-probe.js';
import { subscribe } from './ws-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;

/** SUPERGRAPH_MODE=dynamic: the router composes from registrations and swaps on change. */
describe('dynamic supergraph through the real system', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2ed');
  let system: System;
  let token: string;

  beforeAll(async () => {
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: false,
      env: { LOG_LEVEL: 'warn', SUPERGRAPH_MODE: 'dynamic' },
    });
    token = (
      await gql(system.graphqlUrl, SIGN_UP, { input: { email: `dyn-${randomUUID().slice(0, 6)}@example.com`, password: 'password 1234', displayName: 'Dyn' } })
    ).data!.signUp.accessToken;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  it('serves the composed API from registrations', async () => {
    const r = await gql(system.graphqlUrl, '{ me { id playbackQuota { tier } } libraryStats { trackCount } }', {}, token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.me.playbackQuota.tier).toBe('FREE');
  });

  it('a registration that does not compose is ignored; a new SDL swaps the supergraph and closes subscriptions with 4205', async () => {
    const sub = subscribe(system.graphqlUrl, token, 'subscription { libraryChanged { kind trackId } }');
    await waitForSubscribers(system.routerOpsUrl, 1);
    // Registering as stream takes stream's own credentials.
    const registry = createClient(
      RegistryClient,
      `127.0.0.1:${system.services.router.grpcPort}`,
      ServiceIdentity.load({ dir: system.trustDir, name: 'stream' }),
    );
    const streamSdl = readFileSync(`${ROOT}/subgraphs/stream/schema.graphql`, 'utf8');
    const register = (sdl: string) =>
      unaryCall(
        registry.register.bind(registry),
        {
          name: 'stream',
          instanceId: `stream-test-${randomUUID()}`,
          graphqlUrl: `${system.services.stream.url}/graphql`,
          httpUrl: system.services.stream.url,
          sdl,
          version: 'test',
        },
        { deadlineMs: 2_000 },
      );
    // Conflicts with resource's PlanTier enum: does not compose, the running supergraph stays.
    const refused = (): Promise<number> => metricValue(system.routerOpsUrl, 'ytm_supergraph_recompositions_total', { outcome: 'not_composable' });
    const refusedBefore = await refused();
    await register(`${streamSdl}\nextend enum PlanTier { GOLD }`);
    await waitFor(async () => (await refused()) > refusedBefore, 10_000, 50, 'the registration refused as not composable');
    expect(sub.closeCode).toBeUndefined();
    await waitForSubscribers(system.routerOpsUrl, 1);
    expect((await gql(system.graphqlUrl, '{ me { id } }', {}, token)).errors).toBeUndefined();
    // A compatible change (a new type the stream subgraph would add): swapped in, subscribers told to resubscribe.
    await register(`${streamSdl}\ntype StreamInfo { build: String }\nextend type Query { streamInfo: StreamInfo }`);
    await waitFor(() => sub.closeCode, 10_000, 100, 'subscription closed by the reload');
    expect(sub.closeCode).toBe(4205);
    const introspect = await gql(system.graphqlUrl, '{ __type(name: "StreamInfo") { name } }', {}, token);
    expect(introspect.data!.__type).toEqual({ name: 'StreamInfo' });
    registry.close();
  });
});
