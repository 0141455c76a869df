import { RegistryClient, createClient, fromGrpcError, status, unaryCall, type CallerCredentials } from '@ytm/proto';
import { backoffDelay, type BackoffOptions } from './backoff.js';

/** The subset of a pino logger this package uses. */
export interface RegistrationLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RegistrationOptions {
  /** The router's gRPC registry, `host:port`. */
  registryUrl: string;
  /** Subgraph name, e.g. "library": the router accepts it only from that service's identity. */
  name: string;
  /** This service's identity (`@ytm/trust`): every registry call carries it. */
  credentials: CallerCredentials;
  /** Unique per process. */
  instanceId: string;
  graphqlUrl: string;
  httpUrl: string;
  sdl: string;
  version: string;
  /** Bound to the router it registers with (its address): the lines here do not repeat it. */
  logger: RegistrationLogger;
  /** Retry delays while the router is unreachable. Default 250 ms doubling to 10 s. */
  backoff?: BackoffOptions;
  /** At most one warning per this many ms while registration keeps failing. Default 30 s. */
  warnEveryMs?: number;
  /** Until the first registration, an unreachable router is logged at debug for this long. Default 30 s. */
  startupGraceMs?: number;
  /** Deadline of each Heartbeat call. Default 2 s. */
  callTimeoutMs?: number;
  /** Deadline of each Register call: the router first checks it can reach our URLs (up to 4 s). Default 8 s. */
  registerTimeoutMs?: number;
}

export interface Registration {
  /** Deregisters (bounded by a 1 s deadline) and stops retrying; never rejects. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };
/** stop() finishes within this budget: waiting for an in-flight Register, then Deregister. */
const STOP_BUDGET_MS = 1_000;
const STOP_REGISTER_GRACE_MS = 500;
const FALLBACK_HEARTBEAT_MS = 5_000;

/**
 * Registers this service with the router in the background and keeps the lease alive.
 * Never throws and never blocks start-up: while the router is down it retries with
 * backoff, and after the router restarts (heartbeat fails or answers known=false)
 * it registers again by itself.
 */
export function startRegistration(options: RegistrationOptions): Registration {
  const { registryUrl, logger } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const warnEveryMs = options.warnEveryMs ?? 30_000;
  const callTimeoutMs = options.callTimeoutMs ?? 2_000;
  const registerTimeoutMs = options.registerTimeoutMs ?? 8_000;
  const client = createClient(RegistryClient, registryUrl, options.credentials);
  // Calls fail at once while the router is unreachable (waitForReady: false): this loop retries
  // with its own backoff, and its start-up grace tells "not up yet" (UNAVAILABLE) from the rest.
  // Two signals: stop() wakes sleeps and drops heartbeats at once, but lets an in-flight
  // Register finish briefly, since the router may already hold that lease and only its id can deregister it.
  const stopper = new AbortController();
  const registerAborter = new AbortController();
  // The router's address is the logger's own binding (registerWithEveryRouter's `loggerFor`).
  const log = { name: options.name, instanceId: options.instanceId };

  let leaseId: string | undefined;
  let intervalMs = FALLBACK_HEARTBEAT_MS;
  let failures = 0;
  let lastWarnAt = -Infinity;
  // Services and routers start in any order: until the first registration, a router that is not
  // up yet is expected for a while and not worth a warning.
  const startupGraceMs = options.startupGraceMs ?? 30_000;
  const startedAt = Date.now();
  let everRegistered = false;

  function reportFailure(what: string, err: unknown): void {
    failures += 1;
    const remote = fromGrpcError(err);
    const fields = { ...log, attempt: failures, grpcStatus: status[remote.grpcStatus], err: remote.message };
    const starting = !everRegistered && Date.now() - startedAt < startupGraceMs && remote.grpcStatus === status.UNAVAILABLE;
    if (starting || Date.now() - lastWarnAt < warnEveryMs) {
      logger.debug(fields, `${what} failed`);
      return;
    }
    lastWarnAt = Date.now();
    if (
      remote.grpcStatus === status.INVALID_ARGUMENT ||
      remote.grpcStatus === status.FAILED_PRECONDITION ||
      remote.grpcStatus === status.UNAUTHENTICATED ||
      remote.grpcStatus === status.PERMISSION_DENIED
    ) {
      // A fix needs a deploy or the right trust material; keep retrying slowly meanwhile.
      logger.error(fields, `the router rejected this ${what}`);
    } else {
      logger.warn(fields, `${what} with the router registry failed; retrying in the background`);
    }
  }

  async function register(): Promise<void> {
    try {
      const response = await unaryCall(
        client.register.bind(client),
        {
          name: options.name,
          instanceId: options.instanceId,
          graphqlUrl: options.graphqlUrl,
          sdl: options.sdl,
          version: options.version,
          httpUrl: options.httpUrl,
        },
        { deadlineMs: registerTimeoutMs, signal: registerAborter.signal, waitForReady: false },
      );
      leaseId = response.leaseId;
      intervalMs = response.heartbeatIntervalMs > 0 ? response.heartbeatIntervalMs : FALLBACK_HEARTBEAT_MS;
      logger.info({ ...log, heartbeatIntervalMs: intervalMs, afterFailures: failures }, 'registered with the router');
      failures = 0;
      lastWarnAt = -Infinity;
      everRegistered = true;
    } catch (err) {
      if (stopper.signal.aborted) return;
      reportFailure('registration', err);
      await sleep(backoffDelay(failures, backoff));
    }
  }

  async function heartbeat(current: string): Promise<void> {
    await sleep(intervalMs);
    if (stopper.signal.aborted) return;
    try {
      const { known } = await unaryCall(
        client.heartbeat.bind(client),
        { leaseId: current },
        { deadlineMs: Math.min(callTimeoutMs, intervalMs), signal: stopper.signal, waitForReady: false },
      );
      if (!known) {
        logger.info(log, 'the router no longer knows this lease; registering again');
        leaseId = undefined;
      }
    } catch (err) {
      if (stopper.signal.aborted) return;
      // The router may be restarting; registering again is idempotent and renews whatever it still holds.
      reportFailure('heartbeat', err);
      leaseId = undefined;
    }
  }

  async function run(): Promise<void> {
    while (!stopper.signal.aborted) {
      if (leaseId === undefined) await register();
      else await heartbeat(leaseId);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stopper.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      stopper.signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        stopper.signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  const loop = run().catch((err: unknown) => {
    logger.error({ ...log, err: err instanceof Error ? err.message : String(err) }, 'registration loop stopped unexpectedly');
  });

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    const budgetEnd = Date.now() + STOP_BUDGET_MS;
    stopper.abort();
    const giveUp = setTimeout(() => registerAborter.abort(), STOP_REGISTER_GRACE_MS);
    await loop;
    clearTimeout(giveUp);
    const current = leaseId;
    leaseId = undefined;
    if (current !== undefined) {
      try {
        const deadlineMs = Math.max(100, budgetEnd - Date.now());
        await unaryCall(client.deregister.bind(client), { leaseId: current }, { deadlineMs, waitForReady: false });
        logger.info(log, 'deregistered from the router');
      } catch (err) {
        logger.warn({ ...log, err: fromGrpcError(err).message }, 'deregistration failed; the lease will expire by itself');
      }
    }
    client.close();
  }

  return {
    stop: () => (stopping ??= stop()),
  };
}
