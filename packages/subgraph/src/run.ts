import { randomUUID } from 'node:crypto';
import {
  closeServer,
  GRAPHQL_PATH,
  handleShutdown,
  httpHandler,
  listen,
  listenOps,
  type OpsListenOptions,
  type RawRoute,
  type ServiceApp,
  type ShutdownStep,
} from '@ytm/http';
import type { Logger } from '@ytm/logger';
import { closeServer as closeGrpc, listen as listenGrpc, type CallerCredentials, type GrpcServer } from '@ytm/proto';
import { startRegistration } from '@ytm/registry';
import { advertisedBaseUrl } from './advertise.js';

/**
 * What every subgraph's composition root returns (`src/composition.ts`, `composeService`): the
 * parts it built, none of them listening or running until `runSubgraph` (or a test) asks.
 */
export interface ComposedSubgraph {
  /** Subgraph name as the router knows it: library, resource or stream. */
  name: string;
  /** This subgraph's SDL (its `schema.graphql`), sent with its registration. */
  sdl: string;
  /** The Koa app: a bare `/health`, `/graphql` and the service's own routes; `app.ops` is what the ops listener serves. */
  app: ServiceApp;
  /** Hot routes served below the app (tried first, in order). */
  routes: RawRoute[];
  /** The gRPC server (not listening); every service added to it is reported SERVING once listening. */
  grpc: GrpcServer;
  /** Starts the background work (outbox relay, consumers, timers, watcher, ...). */
  start(): Promise<void>;
  /** Closed after the servers stop, in order (timers, consumers, relays, clients, stores). */
  shutdown: ShutdownStep[];
}

export interface RunSubgraphOptions {
  logger: Logger;
  version: string;
  host: string;
  port: number;
  grpcPort: number;
  /** The ops listener (`/health`, `/ready`, `/metrics` from `app.ops`): loopback unless opened on purpose. */
  ops: OpsListenOptions;
  /** Where other services reach this one (ADVERTISE_HOST / ADVERTISE_URL); see advertisedBaseUrl. */
  advertise?: { host?: string | undefined; url?: string | undefined };
  /** This service's identity: registry calls carry it. */
  credentials: CallerCredentials;
  /** One or more router registries (`host:port`, comma-separated): every router learns of every instance. */
  registryUrl: string;
}

export interface RunningSubgraph {
  port: number;
  grpcPort: number;
  opsPort: number;
}

/**
 * Listens, registers with the router's registry (heartbeats), starts the service's background
 * work, and shuts down in order on SIGTERM: stop registering, finish in-flight requests, then the
 * service's steps.
 */
export async function runSubgraph(service: ComposedSubgraph, options: RunSubgraphOptions): Promise<RunningSubgraph> {
  const { logger, host } = options;
  const { name, grpc } = service;
  const { server, port: httpPort } = await listen(httpHandler(service.app, service.routes), host, options.port);
  const ops = await listenOps(service.app.ops, options.ops);
  const grpcPort = await listenGrpc(grpc.server, host, options.grpcPort);
  grpc.setServing();
  const httpUrl = advertisedBaseUrl({ host, port: httpPort, advertiseHost: options.advertise?.host, advertiseUrl: options.advertise?.url });
  const graphqlUrl = `${httpUrl}${GRAPHQL_PATH}`;
  const instanceId = `${name}-${randomUUID()}`;
  const registrations = options.registryUrl
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean)
    .map((registryUrl) =>
      startRegistration({
        registryUrl,
        name,
        credentials: options.credentials,
        instanceId,
        graphqlUrl,
        httpUrl,
        sdl: service.sdl,
        version: options.version,
        logger: logger.child({ component: 'registry-client', registryUrl }),
      }),
    );
  handleShutdown(logger, () => [
    ['registration', () => Promise.all(registrations.map((r) => r.stop()))],
    ['http', () => closeServer(server, 8_000)],
    ['grpc', () => closeGrpc(grpc.server, 2_000)],
    ...service.shutdown,
    ['ops', () => closeServer(ops.server, 1_000)],
  ]);
  await service.start();
  logger.info({ port: httpPort, grpcPort, graphqlUrl, opsUrl: `http://${options.ops.host}:${ops.port}` }, `${name} listening`);
  return { port: httpPort, grpcPort, opsPort: ops.port };
}
