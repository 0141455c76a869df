import { Metadata, status, type ServerWritableStream, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from './gen/grpc/health/v1/health.js';

export type HealthStatusName = 'SERVING' | 'NOT_SERVING';

type Watcher = ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;

/**
 * The standard grpc.health.v1 service, with one status per service the server serves
 * (NOT_SERVING until set); any other name is unknown (NOT_FOUND). The empty name is the
 * whole server, SERVING from the start like grpc-go.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>([['', ServingStatus.SERVING]]);
  private readonly watchers = new Map<string, Set<Watcher>>();
  private shutDown = false;

  /** Lists a service this server serves, NOT_SERVING until set (createGrpcServer calls it on addService). */
  register(service: string): void {
    if (!this.statuses.has(service)) this.update(service, ServingStatus.NOT_SERVING);
  }

  /** Sets a served service's status (full proto name, e.g. `ytm.library.v1.Library`); a name never registered is an error. */
  set(service: string, value: HealthStatusName): void {
    if (!this.statuses.has(service)) throw new Error(`${service} is not served by this server`);
    if (this.shutDown) return;
    this.update(service, ServingStatus[value]);
  }

  get(service: string): HealthStatusName | 'SERVICE_UNKNOWN' {
    const value = this.statuses.get(service);
    return value === undefined ? 'SERVICE_UNKNOWN' : value === ServingStatus.SERVING ? 'SERVING' : 'NOT_SERVING';
  }

  /**
   * Marks everything NOT_SERVING for good and ends open Watch streams, so load
   * balancers stop routing here and a graceful shutdown is not held open by watchers.
   */
  shutdown(): void {
    if (this.shutDown) return;
    for (const service of this.statuses.keys()) this.update(service, ServingStatus.NOT_SERVING);
    this.shutDown = true;
    for (const set of this.watchers.values()) for (const call of set) call.end();
    this.watchers.clear();
  }

  readonly implementation: HealthServer = {
    check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      const value = this.statuses.get(call.request.service);
      if (value === undefined) {
        callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}`, metadata: new Metadata() });
        return;
      }
      callback(null, { status: value });
    },
    watch: (call: Watcher) => {
      const service = call.request.service;
      call.write({ status: this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
      if (this.shutDown) {
        call.end();
        return;
      }
      const set = this.watchers.get(service) ?? new Set<Watcher>();
      set.add(call);
      this.watchers.set(service, set);
      call.on('cancelled', () => set.delete(call));
    },
  };

  private update(service: string, value: ServingStatus): void {
    if (this.statuses.get(service) === value) return;
    this.statuses.set(service, value);
    for (const call of this.watchers.get(service) ?? []) call.write({ status: value });
  }
}
