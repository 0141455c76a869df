import { Server, ServerCredentials, type ServerOptions, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { runWithTrace, traceFrom } from '@ytm/trace';
import { HealthService } from './gen/grpc/health/v1/health.js';
import { HealthStatus } from './health.grpc-server.js';

export interface GrpcServer {
  server: Server;
  /** The server's grpc.health.v1 statuses; set each service SERVING once it is ready. */
  health: HealthStatus;
}

const healthByServer = new WeakMap<Server, HealthStatus>();

/** A gRPC server that already serves the standard health service. */
export function createGrpcServer(options: ServerOptions = {}): GrpcServer {
  const server = new Server(options);
  // Every unary handler runs in the caller's trace (W3C traceparent in the metadata), so logs,
  // outgoing calls and events it causes carry the same trace id.
  const addService = server.addService.bind(server);
  server.addService = (service: ServiceDefinition, implementation: UntypedServiceImplementation) => {
    const wrapped: UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(implementation)) {
      const def = service[name];
      wrapped[name] =
        def && !def.requestStream && !def.responseStream && typeof handler === 'function'
          ? (((call: { metadata: { get(k: string): unknown[] } }, callback: unknown) => {
              const header = call.metadata.get('traceparent')[0];
              return runWithTrace(traceFrom(typeof header === 'string' ? header : undefined), () =>
                (handler as (c: unknown, cb: unknown) => unknown)(call, callback),
              );
            }) as never)
          : handler;
    }
    addService(service, wrapped);
  };
  const health = new HealthStatus();
  server.addService(HealthService, health.implementation);
  healthByServer.set(server, health);
  return { server, health };
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
