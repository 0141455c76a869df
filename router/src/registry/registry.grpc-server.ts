import {
  Metadata,
  RegistryService as RegistryGrpcService,
  callerOf,
  closeServer,
  createGrpcServer,
  listen,
  status,
  type CallGuard,
  type RegisterRequest,
  type RegistryServer,
  type sendUnaryData,
} from '@ytm/proto';
import type { RegistrationAddressCheck } from './registration-address.js';
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
  /** Admits calls by the caller's service identity (`ServiceIdentity.guard`). */
  guard: CallGuard;
  /** Refuses URLs the router cannot reach or that lead back to itself (`registrationAddressCheck`). */
  addresses: RegistrationAddressCheck;
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

/**
 * The gRPC face of the registry; validation happens here, at the edge, before the domain sees input.
 * The guard has already admitted the caller's identity (SERVICE_ACCESS); here a service may
 * register only under its own name and touch only its own leases.
 */
export function createRegistryHandlers(registry: RegistryService, logger: RegistryServerLogger, addresses: RegistrationAddressCheck): RegistryServer {
  const denied = (callback: sendUnaryData<never>, call: { getPeer(): string }, caller: string | undefined, reason: string, fields: object = {}) => {
    logger.warn({ ...fields, caller, peer: call.getPeer(), grpcStatus: 'PERMISSION_DENIED', reason }, 'registry call refused');
    callback({ code: status.PERMISSION_DENIED, details: reason, metadata: new Metadata() });
  };
  const ownsLease = (leaseId: string, caller: string | undefined) => {
    const owner = registry.ownerOf(leaseId);
    return owner === undefined || owner === caller;
  };
  return {
    register: (call, callback) => {
      const problem = validate(call.request);
      if (problem) return invalid(callback, problem);
      const caller = callerOf(call);
      if (caller !== call.request.name) {
        return denied(callback, call, caller, `${caller ?? 'an unidentified caller'} may register only under its own name, not as ${call.request.name}`, {
          name: call.request.name,
          instanceId: call.request.instanceId,
        });
      }
      const input: RegistrationInput = {
        name: call.request.name,
        instanceId: call.request.instanceId,
        graphqlUrl: call.request.graphqlUrl,
        httpUrl: call.request.httpUrl,
        sdl: call.request.sdl,
        version: call.request.version,
      };
      const peer = call.getPeer();
      void addresses({ graphqlUrl: input.graphqlUrl, httpUrl: input.httpUrl, peer }).then(
        (problem) => {
          if (problem) {
            logger.warn({ name: input.name, instanceId: input.instanceId, peer, reason: problem }, 'registration refused: address');
            return callback({ code: status.FAILED_PRECONDITION, details: problem, metadata: new Metadata() });
          }
          const lease = registry.register(input);
          logger.info({ name: input.name, instanceId: input.instanceId, graphqlUrl: input.graphqlUrl, version: input.version, peer }, 'subgraph registered');
          callback(null, lease);
        },
        (err: unknown) => callback({ code: status.INTERNAL, details: `address check failed: ${(err as Error).message}`, metadata: new Metadata() }),
      );
    },
    heartbeat: (call, callback) => {
      if (!call.request.leaseId) return invalid(callback, 'lease_id is required');
      if (!ownsLease(call.request.leaseId, callerOf(call))) return denied(callback, call, callerOf(call), 'a lease of another service');
      callback(null, { known: registry.heartbeat(call.request.leaseId) });
    },
    deregister: (call, callback) => {
      if (!call.request.leaseId) return invalid(callback, 'lease_id is required');
      if (!ownsLease(call.request.leaseId, callerOf(call))) return denied(callback, call, callerOf(call), 'a lease of another service');
      if (registry.deregister(call.request.leaseId)) logger.info({ peer: call.getPeer() }, 'subgraph deregistered');
      callback(null, {});
    },
  };
}

/** Serves the Registry (and the standard health service) and sweeps expired leases. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistryServer> {
  const { registry, logger } = options;
  // grpc-js accepts 4 MB messages by default, so an oversized SDL reaches validate() and gets a clear INVALID_ARGUMENT.
  const grpc = createGrpcServer({ guard: options.guard });
  const { server } = grpc;
  server.addService(RegistryGrpcService, createRegistryHandlers(registry, logger, options.addresses));
  const port = await listen(server, options.host, options.port);
  grpc.setServing();
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
