import { Metadata, Server, ServerCredentials, type ServerOptions, type ServiceDefinition, type UntypedServiceImplementation, type status } from '@grpc/grpc-js';
import { runWithTrace, traceFrom } from '@ytm/trace';
import { HealthService } from './gen/grpc/health/v1/health.js';
import { HealthStatus } from './health.grpc-server.js';

/** What a guard decides about one incoming call, before its handler runs. */
export type Admission = { caller: string | undefined } | { refuse: { code: status; details: string } };

/** Checks every incoming call (authentication and authorisation); `@ytm/trust` provides the one in use. */
export interface CallGuard {
  admit(call: { method: string; metadata: Metadata; peer: string }): Admission;
}

export interface GrpcServer {
  server: Server;
  /** The server's grpc.health.v1 statuses: only the services added to this server (and '' for the whole server). */
  health: HealthStatus;
  /** Reports every service added so far SERVING (call once the process is ready). */
  setServing(): void;
}

export interface GrpcServerOptions extends ServerOptions {
  /** Admits or refuses every call; there is no server without one. */
  guard: CallGuard;
}

const healthByServer = new WeakMap<Server, HealthStatus>();
const callers = new WeakMap<object, string>();

/** The service identity the guard admitted this call as (undefined for public methods such as health). */
export function callerOf(call: object): string | undefined {
  return callers.get(call);
}

interface IncomingCall {
  metadata: Metadata;
  getPeer(): string;
  emit(event: 'error', err: unknown): boolean;
}

/** A gRPC server that serves the standard health service and puts every call through the guard. */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { guard, ...serverOptions } = options;
  const server = new Server(serverOptions);
  const health = new HealthStatus();
  const served: string[] = [];
  const addService = server.addService.bind(server);
  server.addService = (service: ServiceDefinition, implementation: UntypedServiceImplementation) => {
    const wrapped: UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(implementation)) {
      const def = service[name];
      if (!def || typeof handler !== 'function') {
        wrapped[name] = handler;
        continue;
      }
      const unary = !def.requestStream && !def.responseStream;
      const run = handler as (call: IncomingCall, callback?: (err: unknown) => void) => unknown;
      wrapped[name] = ((call: IncomingCall, callback?: (err: unknown) => void) => {
        const admission = guard.admit({ method: def.path, metadata: call.metadata, peer: call.getPeer() });
        if ('refuse' in admission) {
          const err = { ...admission.refuse, metadata: new Metadata() };
          if (unary && callback) callback(err);
          else call.emit('error', err);
          return;
        }
        if (admission.caller !== undefined) callers.set(call, admission.caller);
        // Every handler runs in the caller's trace (W3C traceparent in the metadata), so logs,
        // outgoing calls and events it causes carry the same trace id.
        const header = call.metadata.get('traceparent')[0];
        return runWithTrace(traceFrom(typeof header === 'string' ? header : undefined), () => run(call, callback));
      }) as never;
    }
    addService(service, wrapped);
    const serviceName = serviceNameOf(service);
    if (serviceName && service !== HealthService) {
      served.push(serviceName);
      health.register(serviceName);
    }
  };
  server.addService(HealthService, health.implementation);
  healthByServer.set(server, health);
  return { server, health, setServing: () => served.forEach((name) => health.set(name, 'SERVING')) };
}

/** `ytm.library.v1.Library` from a definition's method paths (`/ytm.library.v1.Library/GetTrackFile`). */
function serviceNameOf(service: ServiceDefinition): string | undefined {
  const first = Object.values(service)[0];
  return first?.path.split('/')[1];
}

/** Binds without TLS (services talk on a private network); port 0 picks a free port, which is returned. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, boundPort) => {
      if (err) reject(err);
      else resolve(boundPort);
    });
  });
}

/**
 * Reports NOT_SERVING, lets in-flight calls finish for up to `graceMs`, then
 * cancels whatever is left. Never rejects: shutdown must not hang or throw.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  healthByServer.get(server)?.shutdown();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
