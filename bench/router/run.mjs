// bench/router: the YTM router beside Hive Gateway and plain @apollo/gateway on @apollo/server, in
// front of the same running subgraphs, on the same supergraph (the peers' has no `events`
// subgraph: the router runs it in-process and queries never reach it). Rounds are interleaved
// (every gateway runs each shape once per round, in rotating order), so a machine others load
// slows all three alike; medians over rounds are printed with ratios to the YTM router.
// Run: npm run build && node bench/router/run.mjs   (starts infra and the system; installs the peers here on first run)
// Env: ROUNDS (3), DURATION_MS (8000), CONNECTIONS (20), USERS (40), SHAPES (all), MODES (varied,identical), GATEWAYS (ytm,hive,apollo),
//      OVERHEAD (1: the low-load row, router vs the subgraph called directly), DIRECT (1: the one-subgraph shapes also sent
//      to their subgraph directly at the same load, beside the gateways' tails), PROFILE (a directory: the router is CPU-profiled
//      during each of its loads), PROFILE_SERVICES (router: which services are profiled, e.g. router,library,resource)
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { up } from '../../infra/infra.mjs';
import { dataDir } from '../../infra/lib/paths.mjs';
import { readPid } from '../../infra/lib/proc.mjs';
import { freePort, startSystem } from '../../scripts/system.mjs';
import { composeFromConfig } from '../../scripts/supergraph-lib.mjs';
import { generate } from '../library/generate-corpus.mjs';
import { SHAPES } from './shapes.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION_MS = Number(process.env.DURATION_MS ?? 8_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const USERS = Number(process.env.USERS ?? 40);
const TRACKS = 200;
const shapeNames = (process.env.SHAPES ?? Object.keys(SHAPES).join(',')).split(',');
const modes = (process.env.MODES ?? 'varied,identical').split(',');
const gatewayNames = (process.env.GATEWAYS ?? 'ytm,hive,apollo').split(',');
const OVERHEAD = process.env.OVERHEAD !== '0';
const DIRECT = process.env.DIRECT !== '0';
/** The shapes one subgraph answers alone, and which: sent to it directly, they show what the gateways add. */
const ONE_SUBGRAPH = { me: 'resource', tracks: 'library', profile: 'resource' };
const PROFILE = process.env.PROFILE ? resolve(process.env.PROFILE) : undefined;
// The processes profiled during the YTM router's loads: the router, and any of the subgraphs.
const PROFILED = (process.env.PROFILE_SERVICES ?? 'router').split(',');
const profileCounts = new Map();
const load1 = () => loadavg()[0].toFixed(1);
/** CPU seconds (user + system) a process has used so far (Linux /proc; NaN elsewhere). */
const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
};

if (gatewayNames.includes('hive') && !existsSync(join(HERE, 'node_modules/@graphql-hive/gateway'))) {
  console.log('installing the peers (bench/router/package.json) ...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: HERE, stdio: 'inherit' });
}

const infra = await up({ log: () => {} });
const music = mkdtempSync(join(tmpdir(), 'ytm-bench-router-music-'));
generate(music, TRACKS);
const system = await startSystem({
  mongodbUrl: infra.mongodbUrl,
  kafkaBrokers: infra.kafkaBrokers,
  ephemeral: true,
  dbPrefix: `bench_router_${randomUUID().slice(0, 8)}`,
  production: true,
  // One client address, a few users sending as fast as answers come: far over a household's budgets.
  env: { LOG_LEVEL: 'error', MUSIC_DIR: music, USER_COST_PER_MINUTE: '1000000000', HTTP_CONCURRENT_PER_ADDRESS: '1000', SUBGRAPH_TIMEOUT_MS: '60000' },
  // Each of the router's loads is profiled on its own (cpu-profiler.mjs), in the router and the
  // PROFILE_SERVICES; read them with profile-summary.mjs.
  ...(PROFILE
    ? {
        serviceEnv: Object.fromEntries(
          PROFILED.map((name) => [name, { NODE_OPTIONS: `--import ${join(HERE, 'cpu-profiler.mjs')}`, YTM_CPU_PROFILE_DIR: profileDir(name) }]),
        ),
      }
    : {}),
});
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${new Date().toISOString()})`,
);
const peers = [];
try {
  const gql = async (url, query, variables, token) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return r.json();
  };
  const users = [];
  for (let i = 0; i < USERS; i += 2) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(2, USERS - i) }, (_, j) =>
        gql(system.graphqlUrl, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
          i: { email: `bench-${i + j}-${randomUUID()}@example.com`, password: 'password 1234', displayName: `Bench ${i + j}` },
        }),
      ),
    );
    for (const r of batch) if (!r.data) throw new Error(`sign-up failed: ${JSON.stringify(r.errors)}`);
    users.push(...batch.map((r) => r.data.signUp.accessToken));
  }
  for (let i = 0; ; i++) {
    const r = await gql(system.graphqlUrl, '{ tracks(first: 1) { totalCount } }', {}, users[0]);
    if (r.data?.tracks.totalCount >= TRACKS) break;
    if (i > 600) throw new Error('the corpus was not scanned');
    await new Promise((res) => setTimeout(res, 200));
  }
  const trackIds = (await gql(system.graphqlUrl, '{ tracks(first: 100) { edges { node { id } } } }', {}, users[0])).data.tracks.edges.map((e) => e.node.id);
  // Every user likes a few tracks, so `liked` differs between users.
  for (const [u, token] of users.entries()) {
    for (let k = 0; k < 3; k++)
      await gql(system.graphqlUrl, 'mutation($t: ID!) { likeTrack(trackId: $t) { id } }', { t: trackIds[(u * 7 + k * 13) % trackIds.length] }, token);
  }

  // The peers' supergraph: the three subgraphs at the running ports.
  const dir = mkdtempSync(join(tmpdir(), 'ytm-bench-router-'));
  const configPath = join(dir, 'supergraph.json');
  const subgraph = (name) => ({ routing_url: `${system.services[name].url}/graphql`, schema: { file: join(ROOT, `subgraphs/${name}/schema.graphql`) } });
  writeFileSync(configPath, JSON.stringify({ subgraphs: { library: subgraph('library'), resource: subgraph('resource'), stream: subgraph('stream') } }));
  const composed = composeFromConfig(configPath);
  if (composed.errors) throw new Error(composed.errors.join('\n'));
  writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);

  const gateways = [];
  for (const name of gatewayNames) {
    if (name === 'ytm') {
      gateways.push({ name, url: system.graphqlUrl, pid: system.services.router.proc.pid });
      continue;
    }
    const port = await freePort();
    const proc = spawn(process.execPath, [join(HERE, 'peer.mjs'), name, String(port), join(dir, 'supergraph.graphql')], {
      cwd: HERE,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    peers.push(proc);
    await new Promise((res, rej) => {
      proc.stdout.on('data', (d) => d.toString().includes('listening') && res());
      proc.once('exit', (code) => rej(new Error(`${name} exited with ${code}`)));
    });
    gateways.push({ name, url: `http://127.0.0.1:${port}/graphql`, pid: proc.pid });
  }

  // Everyone on the machine who works for a request, for the CPU-per-request table (req/s on two
  // shared cores is bounded by the sum): the subgraphs, FerretDB and Kafka (this checkout's, when
  // bench/router started them or found them running; not external ones), and the load generator.
  const backends = Object.entries({
    library: system.services.library.proc.pid,
    resource: system.services.resource.proc.pid,
    stream: system.services.stream.proc.pid,
    ferretdb: process.env.MONGODB_URL ? undefined : readPid(join(dataDir(), 'run', 'ferretdb.pid')),
    kafka: process.env.KAFKA_BROKERS ? undefined : readPid(join(dataDir(), 'run', 'kafka.pid')),
  }).filter(([, pid]) => pid && Number.isFinite(cpuSeconds(pid)));

  const ctx = { users, trackIds };
  // Same answers from every gateway, for a few requests of each shape.
  for (const shape of shapeNames) {
    for (const req of SHAPES[shape].requests(ctx, 'varied').slice(0, 5)) {
      const answers = await Promise.all(gateways.map(async (g) => JSON.stringify(await gql(g.url, ...JSON.parse(req.body).__args, req.token))));
      const differs = answers.findIndex((a) => a !== answers[0]);
      if (differs > 0 || answers[0].includes('"errors"')) {
        throw new Error(`${shape}: ${gateways[0].name} and ${gateways[Math.max(differs, 0)].name} answer differently:\n${answers.join('\n')}`);
      }
    }
  }
  console.log(`answers identical on ${gateways.map((g) => g.name).join(', ')} for ${shapeNames.join(', ')}`);
  // Every distinct request once before any load, so that no gateway's first load pays for what
  // happens only once (the first like of each user and track, cold caches in the subgraphs).
  for (const shape of shapeNames) {
    const distinct = [...new Map(modes.flatMap((mode) => SHAPES[shape].requests(ctx, mode)).map((r) => [`${r.token} ${r.body}`, r])).values()];
    for (let i = 0; i < distinct.length; i += 5) {
      const answers = await Promise.all(distinct.slice(i, i + 5).map((r) => gql(gateways[0].url, ...JSON.parse(r.body).__args, r.token)));
      const failed = answers.find((a) => a.errors);
      if (failed) throw new Error(`warm-up ${shape}: ${JSON.stringify(failed.errors)}`);
    }
  }
  console.log('every distinct request sent once (warm-up)');

  const load = (url, requests, connections = CONNECTIONS) =>
    new Promise((res, rej) => {
      const payload = JSON.stringify({
        url,
        requests: requests.map((r) => ({ body: JSON.stringify(stripArgs(JSON.parse(r.body))), token: r.token })),
        connections,
        durationMs: DURATION_MS,
      });
      const file = join(dir, `load-${randomUUID()}.json`);
      writeFileSync(file, payload);
      const p = spawn(process.execPath, [join(HERE, 'load.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.once('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`load exited with ${code}`))));
    });
  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) {
      for (const shape of shapeNames) {
        const requests = SHAPES[shape].requests(ctx, mode);
        const order = gateways.map((_, i) => gateways[(i + round) % gateways.length]);
        for (const g of order) {
          const profiled = PROFILE && g.name === 'ytm' ? PROFILED.map((name) => [name, system.services[name].proc.pid]) : [];
          for (const [, pid] of profiled) process.kill(pid, 'SIGUSR2');
          const cpuBefore = cpuSeconds(g.pid);
          const backendsBefore = backends.map(([, pid]) => cpuSeconds(pid));
          const r = await load(g.url, requests);
          for (const [name, pid] of profiled) await profileWritten(name, pid, `${round + 1}-${mode}-${shape}`);
          // The gateway's own CPU per answered request: what it costs, whatever the others on the machine do.
          const perRequest = (seconds) => (seconds * 1000) / (r.count + r.errors);
          r.cpuMs = perRequest(cpuSeconds(g.pid) - cpuBefore);
          r.cpuByProcess = {
            gateway: r.cpuMs,
            ...Object.fromEntries(backends.map(([name, pid], i) => [name, perRequest(cpuSeconds(pid) - backendsBefore[i])])),
            load: perRequest(r.cpuSeconds),
          };
          ((results[`${mode} ${shape}`] ??= {})[g.name] ??= []).push(r);
          process.stdout.write(
            `round ${round + 1} ${mode} ${shape} ${g.name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms, ${r.cpuMs.toFixed(2)} ms CPU/req${r.errors ? ` (${r.errors} errors)` : ''} [load ${load1()}]\n`,
          );
        }
      }
    }
  }
  // The one-subgraph shapes sent to their subgraph directly, same load, same requests: a tail the
  // gateways share and the subgraph has too is the subgraph's (or its store's), not theirs.
  const atLoad = {};
  if (DIRECT) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        for (const shape of shapeNames.filter((s) => ONE_SUBGRAPH[s])) {
          const subgraphName = ONE_SUBGRAPH[shape];
          const r = await load(`${system.services[subgraphName].url}/graphql`, SHAPES[shape].requests(ctx, mode));
          (atLoad[`${mode} ${shape}`] ??= { subgraph: subgraphName, runs: [] }).runs.push(r);
          process.stdout.write(
            `round ${round + 1} ${mode} ${shape} ${subgraphName} directly: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms${r.errors ? ` (${r.errors} errors)` : ''} [load ${load1()}]\n`,
          );
        }
      }
    }
  }
  // Router-added latency at low load: one connection, one request at a time, the one-subgraph
  // shapes through the YTM router and sent to their subgraph directly (same token, same body).
  const overhead = {};
  if (OVERHEAD && gateways.some((g) => g.name === 'ytm')) {
    const direct = { me: ONE_SUBGRAPH.me, tracks: ONE_SUBGRAPH.tracks };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [shape, subgraphName] of Object.entries(direct)) {
        const requests = SHAPES[shape].requests(ctx, 'varied');
        const pair = [
          ['ytm', system.graphqlUrl],
          [subgraphName, `${system.services[subgraphName].url}/graphql`],
        ];
        for (const [name, url] of round % 2 ? pair.reverse() : pair) {
          const r = await load(url, requests, 1);
          ((overhead[shape] ??= {})[name === 'ytm' ? 'ytm' : 'direct'] ??= []).push(r);
          process.stdout.write(`round ${round + 1} low load ${shape} ${name}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms [load ${load1()}]\n`);
        }
      }
    }
  }
  // With an even number of rounds, the mean of the two middle values (not the larger one).
  const median = (xs) => {
    const sorted = xs.slice().sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `\n${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians (ratio = YTM ÷ peer for req/s; CPU = the gateway process's CPU per request)`,
  );
  console.log(`| mode / shape | ${gateways.map((g) => g.name).join(' | ')} |\n|---|${gateways.map(() => '---').join('|')}|`);
  for (const [key, byGateway] of Object.entries(results)) {
    const ytm = byGateway.ytm ? median(byGateway.ytm.map((r) => r.rps)) : undefined;
    const cells = gateways.map((g) => {
      const rs = byGateway[g.name];
      const rps = median(rs.map((r) => r.rps));
      const ratio = ytm && g.name !== 'ytm' ? ` (×${(ytm / rps).toFixed(2)})` : '';
      return `${rps.toFixed(0)} req/s${ratio}, p50 ${median(rs.map((r) => r.p50)).toFixed(1)}, p99 ${median(rs.map((r) => r.p99)).toFixed(1)} ms, CPU ${median(rs.map((r) => r.cpuMs)).toFixed(2)} ms`;
    });
    console.log(`| ${key} | ${cells.join(' | ')} |`);
  }
  // The ratios of one round compare the gateways in one machine state; their spread says how far the medians' ratio can be trusted.
  const others = gateways.filter((g) => g.name !== 'ytm');
  if (gateways.some((g) => g.name === 'ytm') && others.length && ROUNDS > 1) {
    console.log(`\nYTM ÷ peer req/s in each round (rounds 1–${ROUNDS})`);
    console.log(`| mode / shape | ${others.map((g) => g.name).join(' | ')} |\n|---|${others.map(() => '---').join('|')}|`);
    for (const [key, byGateway] of Object.entries(results)) {
      const cells = others.map((g) => byGateway.ytm.map((y, i) => `×${(y.rps / byGateway[g.name][i].rps).toFixed(2)}`).join(' '));
      console.log(`| ${key} | ${cells.join(' | ')} |`);
    }
  }
  if (Object.keys(atLoad).length) {
    console.log(`\nthe one-subgraph shapes sent to their subgraph directly, same ${CONNECTIONS} connections and requests (medians), beside the gateways' p99`);
    console.log(`| mode / shape | subgraph directly | ${gateways.map((g) => `${g.name} p99`).join(' | ')} |\n|---|---|${gateways.map(() => '---').join('|')}|`);
    for (const [key, { subgraph, runs }] of Object.entries(atLoad)) {
      const own = `${subgraph}: ${median(runs.map((r) => r.rps)).toFixed(0)} req/s, p50 ${median(runs.map((r) => r.p50)).toFixed(1)}, p99 ${median(runs.map((r) => r.p99)).toFixed(1)} ms`;
      const tails = gateways.map((g) => (results[key]?.[g.name] ? `${median(results[key][g.name].map((r) => r.p99)).toFixed(1)} ms` : '–'));
      console.log(`| ${key} | ${own} | ${tails.join(' | ')} |`);
    }
  }
  // CPU per request of every process that works for it: on two shared cores, req/s ≤ 2 s ÷ the total.
  const processes = ['gateway', ...backends.map(([name]) => name), 'load'];
  console.log(`\nCPU per request by process (ms, medians; total = everyone's; 2000 ÷ total = the req/s two cores allow)`);
  console.log(`| mode / shape | through | ${processes.join(' | ')} | total | 2000 ÷ total |\n|---|---|${processes.map(() => '---').join('|')}|---|---|`);
  for (const [key, byGateway] of Object.entries(results)) {
    for (const g of gateways) {
      const rs = byGateway[g.name];
      const cells = processes.map((p) => median(rs.map((r) => r.cpuByProcess[p])));
      const total = cells.reduce((a, b) => a + b, 0);
      console.log(`| ${key} | ${g.name} | ${cells.map((c) => c.toFixed(2)).join(' | ')} | ${total.toFixed(2)} | ${(2000 / total).toFixed(0)} |`);
    }
  }
  if (Object.keys(overhead).length) {
    console.log('\nrouter-added latency at low load (1 connection, medians; target: p50 ≤ 1 ms over the subgraph called directly)');
    console.log('| shape (subgraph) | YTM p50 / p99 | direct p50 / p99 | added p50 |\n|---|---|---|---|');
    for (const [shape, { ytm, direct }] of Object.entries(overhead)) {
      const [y50, d50] = [median(ytm.map((r) => r.p50)), median(direct.map((r) => r.p50))];
      const cell = (rs) => `${median(rs.map((r) => r.p50)).toFixed(2)} / ${median(rs.map((r) => r.p99)).toFixed(2)} ms`;
      console.log(`| ${shape} | ${cell(ytm)} | ${cell(direct)} | ${(y50 - d50).toFixed(2)} ms |`);
    }
  }
} finally {
  await Promise.all(peers.map(stopPeer));
  await system.stop();
}

/** Ends a peer gateway and waits for it (SIGKILL after 5 s), so that nothing keeps this process alive. */
async function stopPeer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((res) => proc.once('exit', res));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  proc.stdout?.destroy();
}

/** Where a service's profiler writes (made here): PROFILE for the router, PROFILE/<service> for a subgraph. */
function profileDir(service) {
  const dir = service === 'router' ? PROFILE : join(PROFILE, service);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Stops a service's profiler and names the profile it writes after the load it covers. */
async function profileWritten(service, pid, load) {
  const count = (profileCounts.get(service) ?? 0) + 1;
  profileCounts.set(service, count);
  const file = join(profileDir(service), `${count}.cpuprofile`);
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; !existsSync(file); i++) {
    if (i > 300) throw new Error(`no profile at ${file}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const named = join(profileDir(service), `${load}.cpuprofile`);
  renameSync(file, named);
  console.log(`  profile: ${named}`);
}

/** Requests carry [query, variables] under __args for the identity check; the wire body is the plain GraphQL request. */
function stripArgs(body) {
  const [query, variables] = body.__args;
  return { query, variables };
}
