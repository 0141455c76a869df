import { randomUUID } from 'node:crypto';
import {
  closeServer,
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

export interface RunSubgraphOptions {
  /** Subgraph name as the router knows it: library, resource or stream. */
  name: string;
  version: string;
  logger: Logger;
  app: ServiceApp;
  /** Hot routes served below the app (tried first, in order). */
  routes?: RawRoute[];
  host: string;
  port: number;
  /** The ops listener (`/health`, `/ready`, `/metrics` from `app.ops`): loopback unless opened on purpose. */
  ops: OpsListenOptions;
  /** Where other services reach this one (ADVERTISE_HOST / ADVERTISE_URL); see advertisedBaseUrl. */
  advertise?: { host?: string | undefined; url?: string | undefined };
  /** Its gRPC server; every service added to it is reported SERVING once listening. */
  grpc?: { server: GrpcServer; port: number };
  /** This service's identity: registry calls carry it. */
  credentials: CallerCredentials;
  /** One or more router registries (`host:port`, comma-separated): every router learns of every instance. */
  registryUrl: string;
  sdl: string;
  /** Closed after the servers stop, in order (consumers, relays, stores). */
  shutdown: ShutdownStep[];
}

export interface RunningSubgraph {
  port: number;
  grpcPort: number | undefined;
  opsPort: number;
}

/**
 * Listens, registers with the router's registry (heartbeats), and shuts down in order on
 * SIGTERM: stop registering, finish in-flight requests, then the given steps.
 */
export async function runSubgraph(options: RunSubgraphOptions): Promise<RunningSubgraph> {
  const { name, logger, app, host, port, grpc } = options;
  const { server, port: httpPort } = await listen(httpHandler(app, options.routes), host, port);
  const ops = await listenOps(app.ops, options.ops);
  let grpcPort: number | undefined;
  if (grpc) {
    grpcPort = await listenGrpc(grpc.server.server, host, grpc.port);
    grpc.server.setServing();
  }
  const httpUrl = advertisedBaseUrl({ host, port: httpPort, advertiseHost: options.advertise?.host, advertiseUrl: options.advertise?.url });
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
        graphqlUrl: `${httpUrl}/graphql`,
        httpUrl,
        sdl: options.sdl,
        version: options.version,
        logger: logger.child({ component: 'registry-client', registryUrl }),
      }),
    );
  handleShutdown(logger, () => [
    ['registration', () => Promise.all(registrations.map((r) => r.stop()))],
    ['http', () => closeServer(server, 8_000)],
    ...(grpc ? [['grpc', () => closeGrpc(grpc.server.server, 2_000)] as ShutdownStep] : []),
    ...options.shutdown,
    ['ops', () => closeServer(ops.server, 1_000)],
  ]);
  logger.info({ port: httpPort, grpcPort, graphqlUrl: `${httpUrl}/graphql`, opsUrl: `http://${options.ops.host}:${ops.port}` }, `${name} listening`);
  return { port: httpPort, grpcPort, opsPort: ops.port };
}
