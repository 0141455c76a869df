import {
  Metadata,
  RegistryService as RegistryGrpcService,
  SERVICE_NAMES,
  closeServer,
  createGrpcServer,
  listen,
  status,
  type RegisterRequest,
  type RegistryServer,
  type sendUnaryData,
} from '@ytm/proto';
import type { RegistrationInput, RegistryService } from './registry.service.js';

/** The subset of a pino logger the registry server uses. */
export interface RegistryServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RegistryServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  registry: RegistryService;
  logger: RegistryServerLogger;
}

export interface RunningRegistryServer {
  port: number;
  /** Stops sweeping and shuts the server down (in-flight calls get 1 s). */
  close(): Promise<void>;
}

export const MAX_SDL_BYTES = 1024 * 1024;
const MAX_NAME_LENGTH = 64;
const MAX_ID_LENGTH = 128;
const MAX_URL_LENGTH = 2048;
const NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** The gRPC face of the registry; validation happens here, at the edge, before the domain sees input. */
export function createRegistryHandlers(registry: RegistryService, logger: RegistryServerLogger): RegistryServer {
  return {
    register: (call, callback) => {
      const problem = validate(call.request);
      if (problem) return invalid(callback, problem);
      const input: RegistrationInput = {
        name: call.request.name,
        instanceId: call.request.instanceId,
        graphqlUrl: call.request.graphqlUrl,
        httpUrl: call.request.httpUrl,
        sdl: call.request.sdl,
        version: call.request.version,
      };
      const lease = registry.register(input);
      logger.info(
        { name: input.name, instanceId: input.instanceId, graphqlUrl: input.graphqlUrl, version: input.version, peer: call.getPeer() },
        'subgraph registered',
      );
      callback(null, lease);
    },
    heartbeat: (call, callback) => {
      if (!call.request.leaseId) return invalid(callback, 'lease_id is required');
      callback(null, { known: registry.heartbeat(call.request.leaseId) });
    },
    deregister: (call, callback) => {
      if (!call.request.leaseId) return invalid(callback, 'lease_id is required');
      if (registry.deregister(call.request.leaseId)) logger.info({ peer: call.getPeer() }, 'subgraph deregistered');
      callback(null, {});
    },
  };
}

/** Serves the Registry (and the standard health service) and sweeps expired leases. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistryServer> {
  const { registry, logger } = options;
  // grpc-js accepts 4 MB messages by default, so an oversized SDL reaches validate() and gets a clear INVALID_ARGUMENT.
  const { server, health } = createGrpcServer();
  server.addService(RegistryGrpcService, createRegistryHandlers(registry, logger));
  const port = await listen(server, options.host, options.port);
  health.set(SERVICE_NAMES.registry, 'SERVING');
  const sweeper = setInterval(() => registry.sweep(), registry.heartbeatIntervalMs);
  sweeper.unref();
  logger.info({ host: options.host, port }, 'registry gRPC server listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        await closeServer(server, 1_000);
      })()),
  };
}

function validate(request: RegisterRequest): string | undefined {
  if (!request.name) return 'name is required';
  if (request.name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(request.name)) {
    return `name must match ${NAME_PATTERN.source} and be at most ${MAX_NAME_LENGTH} characters`;
  }
  if (!request.instanceId) return 'instance_id is required';
  if (request.instanceId.length > MAX_ID_LENGTH) return `instance_id must be at most ${MAX_ID_LENGTH} characters`;
  if (request.httpUrl && !isHttpUrl(request.httpUrl)) return 'http_url must be an absolute http(s) URL';
  // An HTTP-only service (ytm-subsonic) registers with http_url alone: no GraphQL endpoint, no SDL.
  if (!request.graphqlUrl && !request.sdl.trim()) return request.httpUrl ? undefined : 'graphql_url and sdl, or http_url, are required';
  if (!request.graphqlUrl) return 'graphql_url is required';
  if (!isHttpUrl(request.graphqlUrl)) return 'graphql_url must be an absolute http(s) URL';
  if (!request.sdl.trim()) return 'sdl is required';
  if (Buffer.byteLength(request.sdl, 'utf8') > MAX_SDL_BYTES) return `sdl must be at most ${MAX_SDL_BYTES} bytes`;
  if (request.version.length > MAX_NAME_LENGTH) return `version must be at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function invalid(callback: sendUnaryData<never>, details: string): void {
  callback({ code: status.INVALID_ARGUMENT, details, metadata: new Metadata() });
}
