import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { startRegistration, type Registration, type RegistrationLogger, type RegistrationOptions } from './registry.grpc-client.js';

export interface EveryRouterOptions extends Omit<RegistrationOptions, 'registryUrl' | 'logger'> {
  /**
   * REGISTRY_URL: one or more router registries, `host:port`, comma-separated. A name that resolves
   * to several addresses (a compose service with replicas) is one router per address.
   */
  registryUrls: string;
  /** For name resolution; each router's registration logs through `loggerFor(target)`. */
  logger: RegistrationLogger;
  loggerFor: (target: string) => RegistrationLogger;
  /** How often names are resolved again (routers come, go and move). Default 5 s; 1 s while a name resolves to nothing. */
  resolveEveryMs?: number;
  /** The addresses of a name; default: the system resolver, IPv4 when it has any. */
  resolve?: (host: string) => Promise<string[]>;
  /** Replaced in unit tests. */
  start?: (options: RegistrationOptions) => Registration;
}

export interface EveryRouterRegistration {
  /** Deregisters from every router (each bounded by 1 s) and stops resolving; never rejects. */
  stop(): Promise<void>;
  /** The registries registered with now (`address:port`, or the entry as given when it is an address). */
  targets(): string[];
  /** Resolves the names again now and starts or stops registrations to match. */
  refresh(): Promise<void>;
}

const DEFAULT_RESOLVE_EVERY_MS = 5_000;
const STARTING_RESOLVE_EVERY_MS = 1_000;

/**
 * Registers this instance with every router: each REGISTRY_URL entry, and each address its name
 * resolves to. Under compose, `REGISTRY_URL=router:50050` then reaches every router replica (the
 * service name resolves to all of them), and a router that is replaced or added is found within
 * `resolveEveryMs`; one that leaves DNS is deregistered from. A lookup that fails keeps what is
 * registered (a router not started yet is retried on the next round).
 */
export function registerWithEveryRouter(options: EveryRouterOptions): EveryRouterRegistration {
  const { logger, loggerFor } = options;
  const resolve = options.resolve ?? resolveAddresses;
  const start = options.start ?? startRegistration;
  const entries = parseEntries(options.registryUrls);
  const active = new Map<string, Registration>();
  /** Which entry each registered target came from. */
  const ownerOf = new Map<string, string>();
  const lastError = new Map<string, string>();
  let stopped = false;
  const registration = (registryUrl: string): RegistrationOptions => ({
    name: options.name,
    credentials: options.credentials,
    instanceId: options.instanceId,
    graphqlUrl: options.graphqlUrl,
    httpUrl: options.httpUrl,
    sdl: options.sdl,
    version: options.version,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.warnEveryMs === undefined ? {} : { warnEveryMs: options.warnEveryMs }),
    ...(options.startupGraceMs === undefined ? {} : { startupGraceMs: options.startupGraceMs }),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
    ...(options.registerTimeoutMs === undefined ? {} : { registerTimeoutMs: options.registerTimeoutMs }),
    registryUrl,
    logger: loggerFor(registryUrl),
  });

  async function targetsOf(entry: Entry): Promise<string[] | undefined> {
    if (isIP(entry.host)) return [entry.raw];
    try {
      const addresses = await resolve(entry.host);
      lastError.delete(entry.raw);
      return addresses.map((a) => `${isIP(a) === 6 ? `[${a}]` : a}:${entry.port}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (lastError.get(entry.raw) !== message) logger.debug({ registryUrl: entry.raw, err: message }, 'router registry name does not resolve (yet)');
      lastError.set(entry.raw, message);
      return undefined;
    }
  }

  async function refresh(): Promise<void> {
    const resolved = await Promise.all(entries.map(async (e) => ({ e, targets: await targetsOf(e) })));
    if (stopped) return;
    const wanted = new Set<string>();
    for (const { e, targets } of resolved) {
      // Unresolvable this round: keep whatever this entry registered before.
      const keep = targets ?? [...active.keys()].filter((t) => ownerOf.get(t) === e.raw);
      for (const t of keep) {
        wanted.add(t);
        ownerOf.set(t, e.raw);
      }
    }
    for (const target of wanted) {
      if (active.has(target)) continue;
      active.set(target, start(registration(target)));
      logger.debug({ registryUrl: target }, 'registering with a router');
    }
    for (const [target, r] of active) {
      if (wanted.has(target)) continue;
      active.delete(target);
      ownerOf.delete(target);
      logger.info({ registryUrl: target }, 'a router left its name; deregistering from it');
      void r.stop();
    }
  }

  // Every resolveEveryMs; every second while some name resolves to no router yet (a router starting
  // after this service is registered with within a second of appearing in DNS).
  const everyMs = options.resolveEveryMs ?? DEFAULT_RESOLVE_EVERY_MS;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped) return;
    const waiting = entries.some((e) => ![...ownerOf.values()].includes(e.raw));
    timer = setTimeout(
      () => {
        round = round.then(refresh, refresh).finally(schedule);
      },
      Math.min(waiting ? STARTING_RESOLVE_EVERY_MS : everyMs, everyMs),
    );
    timer.unref();
  };
  let round: Promise<void> = refresh().finally(schedule);

  let stopping: Promise<void> | undefined;
  return {
    targets: () => [...active.keys()],
    refresh: () => (round = round.then(refresh, refresh)),
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await round.catch(() => undefined);
        await Promise.all([...active.values()].map((r) => r.stop()));
        active.clear();
      })()),
  };
}

interface Entry {
  raw: string;
  host: string;
  port: string;
}

function parseEntries(list: string): Entry[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((raw) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(raw);
      if (!m) throw new Error(`REGISTRY_URL entry "${raw}" is not host:port`);
      return { raw, host: m[1]!, port: m[2]! };
    });
}

/** Every address of a name, the IPv4 ones when there are any (localhost is one router, not two). */
async function resolveAddresses(host: string): Promise<string[]> {
  const all = await lookup(host, { all: true });
  const v4 = all.filter((a) => a.family === 4);
  return [...new Set((v4.length ? v4 : all).map((a) => a.address))].sort();
}
