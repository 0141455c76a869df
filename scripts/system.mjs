// Starts the four YTM processes (three subgraphs and the router) wired to each other.
// Used by `npm start` (default ports) and by the end-to-end tests (free ports, own databases).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// opsPort: the ops listener (/health with details, /ready, /metrics), on 127.0.0.1 only.
export const SERVICES = [
  { name: 'router', dir: 'router', port: 4000, grpcPort: 50050, opsPort: 9400 },
  { name: 'resource', dir: 'subgraphs/resource', port: 4002, grpcPort: 50052, opsPort: 9402 },
  { name: 'library', dir: 'subgraphs/library', port: 4001, grpcPort: 50051, opsPort: 9401 },
  { name: 'stream', dir: 'subgraphs/stream', port: 4003, grpcPort: 50053, opsPort: 9403 },
  // ytm-subsonic: HTTP only (its grpcPort is reserved, unused); registers with the router like the others.
  { name: 'subsonic', dir: 'subsonic', port: 4004, grpcPort: 50054, opsPort: 9404 },
];

/**
 * A free port for a service to listen on. Not from `listen(0)`: that hands out a port from the
 * kernel's ephemeral range, which outgoing connections (Kafka, MongoDB, gRPC clients) also draw
 * their source ports from, so between our check and the service's bind one of them could take it
 * (seen: a router failing with EADDRINUSE on its gRPC port). Below that range only listeners
 * compete, and each port is checked free and handed out once per process.
 */
export async function freePort() {
  const below = ephemeralRangeStart();
  if (below === undefined) return kernelPort();
  const low = Math.max(10_000, below - 12_000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (below - low));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return kernelPort();
}

const handedOut = new Set();

function ephemeralRangeStart() {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return start >= 16_000 ? start : undefined;
  } catch {
    return undefined;
  }
}

function canListen(port) {
  return new Promise((res) => {
    const srv = net.createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

function kernelPort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function envFor(svc, ports, opts) {
  const p = (n) => ports[n];
  const routerUrl = `http://127.0.0.1:${p('router').port}`;
  return {
    ...process.env,
    NODE_ENV: opts.production ? 'production' : 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    PORT: String(p(svc.name).port),
    GRPC_PORT: String(p(svc.name).grpcPort),
    OPS_PORT: String(p(svc.name).opsPort),
    MONGODB_URL: opts.mongodbUrl,
    MONGODB_DB: `${opts.dbPrefix}_${svc.replicaOf ?? svc.name}`,
    KAFKA_BROKERS: opts.kafkaBrokers,
    REGISTRY_URL: opts.routerNames.map((n) => `127.0.0.1:${p(n).grpcPort}`).join(','),
    JWKS_URL: `http://127.0.0.1:${p('resource').port}/.well-known/jwks.json`,
    PUBLIC_URL: routerUrl,
    LIBRARY_GRPC_URL: `127.0.0.1:${p('library').grpcPort}`,
    STREAM_GRPC_URL: `127.0.0.1:${p('stream').grpcPort}`,
    RESOURCE_GRPC_URL: `127.0.0.1:${p('resource').grpcPort}`,
    LIBRARY_HTTP_URL: `http://127.0.0.1:${p('library').port}`,
    RESOURCE_HTTP_URL: `http://127.0.0.1:${p('resource').port}`,
    STREAM_HTTP_URL: `http://127.0.0.1:${p('stream').port}`,
    SUBSONIC_HTTP_URL: `http://127.0.0.1:${p('subsonic').port}`,
    ROUTER_URL: routerUrl,
    TRUST_DIR: opts.trustDir,
    ...opts.env,
    ...(svc.replicaOf ? (opts.replicaEnv?.[svc.replicaOf] ?? {}) : {}),
    ...(opts.serviceEnv?.[svc.name] ?? {}),
  };
}

async function waitHttp(url, timeoutMs, proc, pred = (r) => r.ok) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${url}: process exited with code ${proc.exitCode} (logs: ${proc.logFile ?? 'none'})`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (await pred(r)) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * A started service process.
 * @typedef {object} ServiceHandle
 * @property {string} name
 * @property {number} port
 * @property {number} grpcPort
 * @property {number} opsPort
 * @property {string} url
 * @property {string} opsUrl
 * @property {import('node:child_process').ChildProcess & { logFile?: string }} proc
 * @property {(signal?: NodeJS.Signals) => Promise<number | null>} stop
 * @property {() => Promise<number | null>} kill
 * @property {(env?: Record<string, string>) => Promise<void>} restart stops and starts it again; `env`: extra variables for this run only
 */

/** @typedef {Record<'router' | 'library' | 'resource' | 'stream' | 'subsonic', ServiceHandle> & Record<string, ServiceHandle>} Services */

/**
 * options: { mongodbUrl, kafkaBrokers, ephemeral (free ports), dbPrefix, production, env, serviceEnv,
 *            logDir, onLine(service, line), readyTimeoutMs, trustDir, ownProcessGroups }
 * `ownProcessGroups`: each service in a process group of its own, so a terminal's Ctrl-C reaches
 * only the caller, which stops them with `stop()` (the caller must stop them when it exits).
 * The services' trust material (one key per service identity) is created in `trustDir` when
 * missing: `.ytm/trust` by default, a fresh temp directory for an ephemeral system.
 * Resolves when every service is ready and registered with the router.
 */
export async function startSystem(options) {
  const opts = { dbPrefix: 'ytm', production: true, env: {}, readyTimeoutMs: 60_000, routers: 1, replicas: 1, ...options };
  // Scale-out: extra routers and extra replicas of each subgraph (same code and databases, own
  // ports); every subgraph instance registers with every router.
  const services = SERVICES.filter((s) => !opts.only || opts.only.includes(s.name));
  const shifted = (s, i) => ({ ...s, port: s.port + 10 * (i - 1), grpcPort: s.grpcPort + 10 * (i - 1), opsPort: s.opsPort + 10 * (i - 1) });
  for (let i = 2; i <= opts.routers; i++) services.push({ ...shifted(SERVICES[0], i), name: `router${i}` });
  for (let i = 2; i <= opts.replicas; i++) {
    for (const s of SERVICES.slice(1)) services.push({ ...shifted(s, i), name: `${s.name}${i}`, replicaOf: s.name });
  }
  opts.routerNames = services.filter((s) => s.dir === 'router').map((s) => s.name);
  // Imported here, not at the top: `npm start` loads this file before it builds packages/trust.
  const { ensureTrustMaterial } = await import('../packages/trust/dist/index.js');
  const temporaryTrust = opts.trustDir === undefined && opts.ephemeral;
  opts.trustDir ??= temporaryTrust ? mkdtempSync(join(tmpdir(), 'ytm-trust-')) : join(ROOT, '.ytm', 'trust');
  ensureTrustMaterial(opts.trustDir);
  /** @type {Record<string, { port: number, grpcPort: number, opsPort: number }>} */
  const ports = {};
  // Ports for every service, started or not, so that URLs of absent ones are still well-formed.
  for (const s of [...SERVICES, ...services.filter((x) => !SERVICES.includes(x))]) {
    ports[s.name] = opts.ephemeral
      ? { port: await freePort(), grpcPort: await freePort(), opsPort: await freePort() }
      : { port: s.port, grpcPort: s.grpcPort, opsPort: s.opsPort };
  }
  // Service output always lands in files, so a failed start or test can be diagnosed.
  opts.logDir ??= join(ROOT, '.ytm', 'logs', opts.dbPrefix);
  mkdirSync(opts.logDir, { recursive: true });
  /** @type {Services} */
  const handles = /** @type {Services} */ ({});
  const launch = (svc, extraEnv = {}) => {
    const proc = spawn(process.execPath, [join(ROOT, svc.dir, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...envFor(svc, ports, opts), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.ownProcessGroups === true,
    });
    const file = opts.logDir ? createWriteStream(join(opts.logDir, `${svc.name}.log`), { flags: 'a' }) : undefined;
    const onData = (chunk) => {
      file?.write(chunk);
      if (opts.onLine) for (const line of chunk.toString().split('\n')) if (line) opts.onLine(svc.name, line);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', () => file?.end());
    proc.logFile = opts.logDir ? join(opts.logDir, `${svc.name}.log`) : undefined;
    return proc;
  };
  for (const svc of services) {
    const h = {
      name: svc.name,
      ...ports[svc.name],
      url: `http://127.0.0.1:${ports[svc.name].port}`,
      /** The ops listener: /health (details), /ready, /metrics. */
      opsUrl: `http://127.0.0.1:${ports[svc.name].opsPort}`,
      proc: launch(svc),
      /** Sends a signal and waits for the exit. */
      async stop(signal = 'SIGTERM') {
        if (h.proc.exitCode !== null || h.proc.signalCode !== null) return h.proc.exitCode;
        const exited = new Promise((r) => h.proc.once('exit', (code) => r(code)));
        h.proc.kill(signal);
        return exited;
      },
      kill() {
        return h.stop('SIGKILL');
      },
      async restart(env = {}) {
        await h.stop();
        h.proc = launch(svc, env);
        await waitHttp(`${h.opsUrl}/ready`, opts.readyTimeoutMs, h.proc);
      },
    };
    handles[svc.name] = h;
  }
  const system = {
    ports,
    services: handles,
    routerUrl: handles.router.url,
    graphqlUrl: `${handles.router.url}/graphql`,
    routerUrls: opts.routerNames.map((n) => handles[n].url),
    /** The trust material the services were started with (tests sign as a service from it). */
    trustDir: opts.trustDir,
    routerOpsUrl: handles.router.opsUrl,
    /** Subgraphs first, then routers: each subgraph deregisters from a router still there to hear it. */
    async stop() {
      const routers = new Set(opts.routerNames);
      const all = Object.values(handles);
      await Promise.all(all.filter((h) => !routers.has(h.name)).map((h) => h.stop()));
      await Promise.all(all.filter((h) => routers.has(h.name)).map((h) => h.stop()));
      if (temporaryTrust) rmSync(opts.trustDir, { recursive: true, force: true });
    },
  };
  // Stopping while starting (Ctrl-C): everything spawned so far goes down, startSystem rejects.
  opts.signal?.addEventListener('abort', () => void system.stop(), { once: true });
  try {
    await Promise.all(services.map((s) => waitHttp(`${handles[s.name].opsUrl}/ready`, opts.readyTimeoutMs, handles[s.name].proc)));
    // Every subgraph registered with every router, so routers route to these instances.
    for (const name of opts.routerNames) {
      await waitHttp(`${handles[name].opsUrl}/health`, opts.readyTimeoutMs, handles[name].proc, async (r) => {
        const body = await r.json();
        const registered = (name) => (body.registrations ?? []).filter((x) => x.name === name).length;
        const expected = (name) => services.filter((s) => (s.replicaOf ?? s.name) === name).length;
        return ['library', 'resource', 'stream', 'subsonic'].every((n) => registered(n) >= expected(n));
      });
    }
  } catch (err) {
    await system.stop();
    throw err;
  }
  return system;
}
