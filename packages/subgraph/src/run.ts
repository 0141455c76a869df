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
import { registerWithEveryRouter } from '@ytm/registry';
import { advertisedBaseUrl } from './advertise.js';

/**
 * What every service's composition root returns (`src/composition.ts`, `composeService`): the
 * parts it built, none of them listening or running until `runService` (or a test) asks.
 */
export interface ComposedService {
  /** The service's name as the router knows it: library, resource, stream or subsonic. */
  name: string;
  /** The Koa app: its own routes and `/graphql` when it is a subgraph; `app.ops` is what the ops listener serves. */
  app: ServiceApp;
  /** This subgraph's SDL (its `schema.graphql`), sent with its registration; absent for an HTTP-only service. */
  sdl?: string;
  /** Hot routes served below the app (tried first, in order). */
  routes?: RawRoute[];
  /** The gRPC server (not listening); every service added to it is reported SERVING once listening. */
  grpc?: GrpcServer;
  /** Starts the background work (outbox relay, consumers, timers, watcher, ...). */
  start(): Promise<void>;
  /** Closed after the servers stop, in order (timers, consumers, relays, clients, stores). */
  shutdown: ShutdownStep[];
}

/** A federated subgraph: GraphQL (its SDL registered with the router) and gRPC. */
export interface ComposedSubgraph extends ComposedService {
  sdl: string;
  routes: RawRoute[];
  grpc: GrpcServer;
}

export interface RunServiceOptions {
  logger: Logger;
  version: string;
  host: string;
  port: number;
  /** Where the gRPC server listens, for a service that has one. */
  grpcPort?: number;
  /** The ops listener (`/health`, `/ready`, `/metrics` from `app.ops`): loopback unless opened on purpose. */
  ops: OpsListenOptions;
  /** Where other services reach this one (ADVERTISE_HOST / ADVERTISE_URL); see advertisedBaseUrl. */
  advertise?: { host?: string | undefined; url?: string | undefined };
  /** This service's identity: registry calls carry it. */
  credentials: CallerCredentials;
  /**
   * One or more router registries (`host:port`, comma-separated): every router learns of every
   * instance, also every address a name resolves to (compose replicas of the router).
   */
  registryUrl: string;
}

export interface RunningService {
  port: number;
  /** 0 for a service without gRPC. */
  grpcPort: number;
  opsPort: number;
}

/**
 * Listens (HTTP, ops, gRPC when the service has it), registers with every router's registry
 * (heartbeats; a subgraph with its SDL, an HTTP-only service with none), starts the service's
 * background work, and shuts down in order on SIGTERM: stop registering, finish in-flight
 * requests, then the service's steps.
 */
export async function runService(service: ComposedService, options: RunServiceOptions): Promise<RunningService> {
  const { logger, host } = options;
  const { name, grpc } = service;
  const { server, port: httpPort } = await listen(httpHandler(service.app, service.routes ?? []), host, options.port);
  const ops = await listenOps(service.app.ops, options.ops);
  let grpcPort = 0;
  if (grpc) {
    grpcPort = await listenGrpc(grpc.server, host, options.grpcPort ?? 0);
    grpc.setServing();
  }
  const httpUrl = advertisedBaseUrl({ host, port: httpPort, advertiseHost: options.advertise?.host, advertiseUrl: options.advertise?.url });
  const sdl = service.sdl ?? '';
  // An HTTP-only service registers no GraphQL endpoint: the router only relays its routes.
  const graphqlUrl = sdl === '' ? '' : `${httpUrl}${GRAPHQL_PATH}`;
  const instanceId = `${name}-${randomUUID()}`;
  const registrations = registerWithEveryRouter({
    registryUrls: options.registryUrl,
    name,
    credentials: options.credentials,
    instanceId,
    graphqlUrl,
    httpUrl,
    sdl,
    version: options.version,
    logger: logger.child({ component: 'registry-client' }),
    loggerFor: (registryUrl) => logger.child({ component: 'registry-client', registryUrl }),
  });
  handleShutdown(logger, () => [
    ['registration', () => registrations.stop()],
    ['http', () => closeServer(server, 8_000)],
    ...(grpc ? ([['grpc', () => closeGrpc(grpc.server, 2_000)]] as ShutdownStep[]) : []),
    ...service.shutdown,
    ['ops', () => closeServer(ops.server, 1_000)],
  ]);
  await service.start();
  logger.info({ port: httpPort, grpcPort, url: graphqlUrl || httpUrl, opsUrl: `http://${options.ops.host}:${ops.port}` }, `${name} listening`);
  return { port: httpPort, grpcPort, opsPort: ops.port };
}
