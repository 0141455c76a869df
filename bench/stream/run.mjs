#!/usr/bin/env node
// Range endpoint benchmark: throughput and TTFB p99 for 1, 50 and 500 concurrent readers of a
// 10 MB file, ytm-stream (direct) beside nginx (sendfile) serving the same file, in the same run.
// With --router, a third column: through the router (router/dist, started here, proxying
// /stream/* to this stream instance).
// Usage: node bench/stream/run.mjs [--duration=15000] [--concurrency=1,50,500] [--router]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchIdentity, freePort, TRUST_DIR } from '../service-process.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
// 15 s a cell: the probe then takes ~700 samples and its p99 is the 7th worst, not the 2nd worst
// of ~200 (at 5 s), which moved by several ms from run to run on its own.
const durationMs = Number(arg('duration', '15000'));
const levels = arg('concurrency', '1,50,500').split(',').map(Number);
const SIZE = 10 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'ytm-stream-bench-'));
chmodSync(dir, 0o755); // nginx workers run as nobody
const file = join(dir, 'track.mp3');
writeFileSync(file, randomBytes(SIZE));
const stat = statSync(file);
const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

async function startNginx() {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { audio/mpeg mp3; }
  client_body_temp_path ${dir}/nginx-tmp;
  proxy_temp_path ${dir}/nginx-tmp;
  fastcgi_temp_path ${dir}/nginx-tmp;
  uwsgi_temp_path ${dir}/nginx-tmp;
  scgi_temp_path ${dir}/nginx-tmp;
  server { listen 127.0.0.1:${port}; root ${dir}; }
}
`,
  );
  const nginx = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(nginx);
  const url = `http://127.0.0.1:${port}/track.mp3`;
  for (let i = 0; i < 50; i++) {
    if (
      await fetch(url, { method: 'HEAD' }).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start (is Debian nginx installed? apt-get install -y nginx-light)');
}

async function startStream() {
  const child = spawn(process.execPath, [join(here, 'stream-server.mjs')], {
    env: { ...process.env, BENCH_FILE: file, BENCH_FILE_SIZE: String(stat.size), BENCH_FILE_MTIME: String(stat.mtimeMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise((resolve, reject) => {
    // Other libraries print to stdout too: wait for our JSON line.
    createInterface({ input: child.stdout }).on('line', (l) => l.startsWith('{"port"') && resolve(l));
    child.once('exit', (code) => reject(new Error(`stream-server exited with ${code}`)));
  });
  const { port, token } = JSON.parse(line);
  return { base: `http://127.0.0.1:${port}`, direct: `http://127.0.0.1:${port}/stream/${token}`, token };
}

/** The real router with a static supergraph of the subgraphs that compose today, STREAM_HTTP_URL → our stream. */
async function startRouter(streamBase) {
  const { composeServices } = await import('@apollo/composition');
  const { parse } = await import('graphql');
  const names = ['resource', 'stream'];
  const composed = composeServices(
    names.map((name) => ({ name, url: `http://127.0.0.1:9/${name}`, typeDefs: parse(readFileSync(join(root, 'subgraphs', name, 'schema.graphql'), 'utf8')) })),
  );
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join('; ')}`);
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composed.supergraphSdl);
  const [port, grpcPort] = [await freePort(), await freePort()];
  benchIdentity('router'); // creates the trust material if missing
  const child = spawn(process.execPath, [join(root, 'router/dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      OPS_PORT: String(await freePort()),
      // Up to 500 readers from this one address: far over what one household gets.
      MEDIA_CONCURRENT_PER_ADDRESS: '100000',
      SUPERGRAPH_MODE: 'static',
      SUPERGRAPH_PATH: supergraph,
      STREAM_HTTP_URL: streamBase,
      TRUST_DIR,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return base;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('router did not start');
}

function runScript(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, script), ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited with ${code}`))));
  });
}

/**
 * N bulk readers, and beside them an idle probe timing a new listener's first byte. The probe
 * starts once the readers stream: a new listener *while* N others play, not N + 1 arriving at once.
 */
const PROBE_SETTLE_MS = 500;
async function load(url, concurrency, ms = durationMs) {
  const [readers, probe] = await Promise.all([
    runScript('load.mjs', [url, concurrency, ms, SIZE]),
    runScript('probe.mjs', [url, ms - 200 - PROBE_SETTLE_MS, 20, PROBE_SETTLE_MS]),
  ]);
  return { ...readers, probe };
}

const nginxUrl = await startNginx();
const stream = await startStream();
const targets = [
  ['nginx', nginxUrl],
  ['stream', stream.direct],
];
if (process.argv.includes('--router')) targets.push(['router', `${await startRouter(stream.base)}/stream/${stream.token}`]);

console.log(`10 MiB file, ${durationMs} ms per run, ${process.env.NODE_ENV ?? ''} node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
const rows = [];
for (const c of levels) {
  const byTarget = {};
  for (const [name, url] of targets) {
    await load(url, Math.min(c, 5), 1000); // warm-up
    byTarget[name] = await load(url, c);
  }
  rows.push([c, byTarget]);
}

const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
console.log("\nTTFB (readers): first body byte as the loaded readers see it; TTFB (probe): a new listener's first byte, timed by an idle client beside them.");
console.log('\nreaders  target   requests  errors   MB/s     MB/s vs nginx  TTFB readers p50/p99 ms  TTFB probe p50/p99 ms  probe p99 vs nginx');
for (const [c, byTarget] of rows) {
  const base = byTarget.nginx;
  for (const [name] of targets) {
    const r = byTarget[name];
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const ratio = name === 'nginx' ? '' : `${f(r.mbPerSec / base.mbPerSec, 2)}x`;
    const p99ratio = name === 'nginx' ? '' : `${f(r.probe.p99 / base.probe.p99, 2)}x`;
    const readers = `${f(r.ttfbP50, 2)} / ${f(r.ttfbP99, 2)}`;
    const probe = `${f(r.probe.p50, 2)} / ${f(r.probe.p99, 2)}`;
    console.log(
      `${String(c).padEnd(8)} ${name.padEnd(8)} ${String(r.requests).padEnd(9)} ${String(errors + r.probe.errors).padEnd(8)} ${f(r.mbPerSec).padEnd(8)} ${ratio.padEnd(14)} ${readers.padEnd(23)} ${probe.padEnd(22)} ${p99ratio}`,
    );
    if (errors > 0) console.log(`         errors: ${JSON.stringify(r.errors)}`);
  }
}
const samples = rows.flatMap(([, byTarget]) => Object.values(byTarget).map((r) => r.probe.samples));
console.log(`\nprobe samples per cell: ${Math.min(...samples)}–${Math.max(...samples)}`);
process.exit(0);
