import { randomUUID } from 'node:crypto';

export interface RegistrationInput {
  name: string;
  instanceId: string;
  graphqlUrl: string;
  httpUrl: string;
  sdl: string;
  version: string;
}

export interface Registration extends RegistrationInput {
  leaseId: string;
  registeredAt: number;
  lastSeenAt: number;
}

/** What /health shows: no SDL, no lease id (a lease id lets anyone deregister the instance). */
export interface RegistrationSummary {
  name: string;
  instanceId: string;
  graphqlUrl: string;
  httpUrl: string;
  version: string;
  ageSeconds: number;
  lastSeenSecondsAgo: number;
}

export type RegistryListener = (registrations: readonly Registration[]) => void;

export interface RegistryServiceOptions {
  /** How often clients must heartbeat. Default 5 s. */
  heartbeatIntervalMs?: number;
  /** A lease expires after this many intervals without a heartbeat. Default 3. */
  missedHeartbeats?: number;
  /** Milliseconds since the epoch; injected by tests. */
  clock?: () => number;
  newLeaseId?: () => string;
  onExpired?: (registration: Registration) => void;
  /** A throwing listener must not fail the registration that triggered it. */
  onListenerError?: (err: unknown) => void;
}

/**
 * The router's live view of running subgraph instances, keyed by name + instance id.
 * Leases expire lazily (on every read) and through `sweep()`, which the server calls on a timer.
 */
export class RegistryService {
  readonly heartbeatIntervalMs: number;
  private readonly leaseTtlMs: number;
  private readonly clock: () => number;
  private readonly newLeaseId: () => string;
  private readonly onExpired: (registration: Registration) => void;
  private readonly onListenerError: (err: unknown) => void;
  private readonly byKey = new Map<string, Registration>();
  private readonly keyByLease = new Map<string, string>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(options: RegistryServiceOptions = {}) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
    this.leaseTtlMs = this.heartbeatIntervalMs * (options.missedHeartbeats ?? 3);
    this.clock = options.clock ?? Date.now;
    this.newLeaseId = options.newLeaseId ?? randomUUID;
    this.onExpired = options.onExpired ?? (() => undefined);
    this.onListenerError = options.onListenerError ?? (() => undefined);
  }

  /** Adds or replaces the instance's registration; the previous lease of that instance stops working. */
  register(input: RegistrationInput): { leaseId: string; heartbeatIntervalMs: number } {
    this.sweep();
    const key = keyOf(input.name, input.instanceId);
    const previous = this.byKey.get(key);
    if (previous) this.keyByLease.delete(previous.leaseId);
    const now = this.clock();
    const registration: Registration = {
      ...input,
      leaseId: this.newLeaseId(),
      registeredAt: previous?.registeredAt ?? now,
      lastSeenAt: now,
    };
    this.byKey.set(key, registration);
    this.keyByLease.set(registration.leaseId, key);
    // A plain re-register (client retry, router blip) changes nothing the supergraph depends on.
    if (!previous || previous.sdl !== input.sdl || previous.graphqlUrl !== input.graphqlUrl) this.emit();
    return { leaseId: registration.leaseId, heartbeatIntervalMs: this.heartbeatIntervalMs };
  }

  /** Renews a lease; false when it is unknown or already expired (the client must register again). */
  heartbeat(leaseId: string): boolean {
    this.sweep();
    const registration = this.lookup(leaseId);
    if (!registration) return false;
    registration.lastSeenAt = this.clock();
    return true;
  }

  /** The service name a live lease was registered under; undefined when the lease is unknown. */
  ownerOf(leaseId: string): string | undefined {
    return this.lookup(leaseId)?.name;
  }

  /** Removes the lease's registration; false when it was not known. */
  deregister(leaseId: string): boolean {
    this.sweep();
    const registration = this.lookup(leaseId);
    if (!registration) return false;
    this.remove(registration);
    this.emit();
    return true;
  }

  /** Live registrations (with SDL), ordered by name then registration time. */
  active(): Registration[] {
    this.sweep();
    return this.snapshot();
  }

  list(): RegistrationSummary[] {
    const now = this.clock();
    return this.active().map((r) => ({
      name: r.name,
      instanceId: r.instanceId,
      graphqlUrl: r.graphqlUrl,
      httpUrl: r.httpUrl,
      version: r.version,
      ageSeconds: Math.floor((now - r.registeredAt) / 1000),
      lastSeenSecondsAgo: Math.floor((now - r.lastSeenAt) / 1000),
    }));
  }

  /** Called with all live registrations whenever the set or an SDL/URL changes; returns an unsubscribe. */
  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops leases that missed too many heartbeats; returns how many. */
  sweep(): number {
    const deadline = this.clock() - this.leaseTtlMs;
    const expired = [...this.byKey.values()].filter((r) => r.lastSeenAt < deadline);
    for (const registration of expired) {
      this.remove(registration);
      this.onExpired({ ...registration });
    }
    if (expired.length > 0) this.emit();
    return expired.length;
  }

  private snapshot(): Registration[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.name.localeCompare(b.name) || a.registeredAt - b.registeredAt)
      .map((registration) => ({ ...registration }));
  }

  private lookup(leaseId: string): Registration | undefined {
    const key = this.keyByLease.get(leaseId);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  private remove(registration: Registration): void {
    this.byKey.delete(keyOf(registration.name, registration.instanceId));
    this.keyByLease.delete(registration.leaseId);
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const snapshot = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

function keyOf(name: string, instanceId: string): string {
  return `${name}\u0000${instanceId}`;
}
