#!/usr/bin/env node
// Local infrastructure without Docker: FerretDB (SQLite) and single-node KRaft Kafka.
// CLI: node infra/infra.mjs install|up|down|status. Also imported by start/test scripts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './lib/install.mjs';
import { ensureFfmpeg } from './lib/ffmpeg.mjs';
import { ensureIdIndexKeeper, ferretdbUrl, idLookupPlan, pingMongo, startFerretDB } from './lib/ferretdb.mjs';
import { ensureTopics, kafkaAnswers, kafkaBrokers, startKafka } from './lib/kafka.mjs';
import { withLock } from './lib/lock.mjs';
import { dataDir, defaultPorts, ferretdbBin, TOPICS } from './lib/paths.mjs';
import { cmdline, isAlive, portBusy, readPid, removeFile, sleep, stopPid } from './lib/proc.mjs';

export { ensureInstalled, startFerretDB, startKafka, ensureTopics, pingMongo, kafkaAnswers, idLookupPlan, TOPICS };
export { getFreePort, getFreePorts } from './lib/proc.mjs';
export { ensureFfmpeg, findFfmpeg } from './lib/ffmpeg.mjs';

// Progress goes to stderr so `eval "$(node infra/infra.mjs up)"` sees only the env lines.
const defaultLog = (msg) => process.stderr.write(`[infra] ${msg}\n`);
const secs = (since) => ((Date.now() - since) / 1000).toFixed(1);

function components(dd = dataDir(), ports = defaultPorts()) {
  const run = join(dd, 'run');
  const logs = join(dd, 'logs');
  const ferretDir = join(dd, 'ferretdb');
  const kafkaDir = join(dd, 'kafka');
  return {
    ferretdb: {
      name: 'ferretdb',
      label: 'FerretDB',
      kindDesc: 'MongoDB-protocol',
      port: ports.ferretdb,
      portEnv: 'FERRETDB_PORT',
      urlEnv: 'MONGODB_URL',
      url: ferretdbUrl(ports.ferretdb),
      pidFile: join(run, 'ferretdb.pid'),
      // The _id index helper's: it exits by itself with its FerretDB.
      extraPidFiles: [join(run, 'ferretdb-id-index.pid')],
      // The data dir in the command line ties a pid to this checkout, not just to "a ferretdb".
      owns: (pid) => cmdline(pid).includes(`--state-dir=${ferretDir}`),
      runningPort: (pid) => Number(/--listen-addr=[^ ]*:(\d+)/.exec(cmdline(pid))?.[1]),
      healthy: (port) => pingMongo(ferretdbUrl(port), 1_500).catch(() => false),
      start: () =>
        startFerretDB({ port: ports.ferretdb, dataDir: ferretDir, logFile: join(logs, 'ferretdb.log'), detached: true, pidFile: join(run, 'ferretdb.pid') }),
      // A FerretDB started before its helper existed (or whose helper died) gets one now.
      keep: (pid) =>
        ensureIdIndexKeeper({ dataDir: ferretDir, ferretdbPid: pid, logFile: join(logs, 'ferretdb.log'), ferretdbPidFile: join(run, 'ferretdb.pid') }),
    },
    kafka: {
      name: 'kafka',
      label: 'Kafka',
      kindDesc: 'Kafka',
      port: ports.kafka,
      extraPorts: [[ports.kafkaController, 'KAFKA_CONTROLLER_PORT']],
      portEnv: 'KAFKA_PORT',
      urlEnv: 'KAFKA_BROKERS',
      url: kafkaBrokers(ports.kafka),
      pidFile: join(run, 'kafka.pid'),
      owns: (pid) => cmdline(pid).includes(join(kafkaDir, 'server.properties')),
      runningPort: () => Number(/PLAINTEXT:\/\/[^:]+:(\d+)/.exec(readText(join(kafkaDir, 'server.properties')))?.[1]),
      healthy: (port) => kafkaAnswers(kafkaBrokers(port), 1_500).catch(() => false),
      start: () =>
        startKafka({
          port: ports.kafka,
          controllerPort: ports.kafkaController,
          dataDir: kafkaDir,
          logFile: join(logs, 'kafka.log'),
          detached: true,
          pidFile: join(run, 'kafka.pid'),
        }),
    },
  };
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The pid of a live process this checkout started for c, if any. */
function ourPid(c) {
  const pid = readPid(c.pidFile);
  if (pid && isAlive(pid) && c.owns(pid)) return pid;
  if (pid) removeFile(c.pidFile); // stale: crashed, or the pid now belongs to something else
  return undefined;
}

async function healthyWithin(c, port, ms) {
  const deadline = Date.now() + ms;
  do {
    if (await c.healthy(port)) return true;
    await sleep(250);
  } while (Date.now() < deadline);
  return false;
}

async function refuseBusyPorts(c) {
  for (const [port, env] of [[c.port, c.portEnv], ...(c.extraPorts ?? [])]) {
    if (!(await portBusy(port))) continue;
    const lookalike = port === c.port && (await c.healthy(port));
    throw new Error(
      `${c.label}: port ${port} is already in use by a process this checkout did not start` +
        (lookalike ? ` (it answers like a ${c.kindDesc} server; to use it, set ${c.urlEnv}=${c.url})` : '') +
        `. Stop that process, or choose another port: ${env}=<port> npm run infra up`,
    );
  }
}

/** 'running' when our healthy instance already serves c; otherwise clears the way to start it (or throws). */
async function prepare(c, log) {
  const pid = ourPid(c);
  if (pid) {
    const port = c.runningPort(pid);
    if (port !== c.port) throw new Error(`${c.label} from this checkout already runs on port ${port}, not ${c.port}; run "npm run infra down" first`);
    if (await healthyWithin(c, port, 5_000)) {
      log(`${c.label} already running (pid ${pid}, 127.0.0.1:${port})`);
      if (c.keep?.(pid)) log(`${c.label}: started its _id index helper`);
      return 'running';
    }
    log(`${c.label} (pid ${pid}) is not answering; restarting it`);
    await stopPid(pid);
    removeFile(c.pidFile);
  }
  await refuseBusyPorts(c);
  return 'start';
}

async function start(c, log) {
  const started = Date.now();
  log(`starting ${c.label} on 127.0.0.1:${c.port}...`);
  const handle = await c.start();
  log(`${c.label} ready in ${secs(started)}s (pid ${handle.pid}, log ${handle.logFile})`);
}

async function allOrError(promises) {
  const outcomes = await Promise.allSettled(promises);
  const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.message);
  if (failures.length) throw new Error(failures.join('\n'));
  return outcomes.map((o) => o.value);
}

/**
 * Makes FerretDB and Kafka available: external ones when MONGODB_URL / KAFKA_BROKERS are set,
 * otherwise ours (installed and started as needed, detached so they outlive the caller).
 */
export async function up({ log = defaultLog } = {}) {
  const external = { ferretdb: process.env.MONGODB_URL, kafka: process.env.KAFKA_BROKERS };
  const comps = components();
  const wanted = Object.values(comps).filter((c) => !external[c.name]);
  for (const c of Object.values(comps)) if (external[c.name]) log(`${c.urlEnv} is set: using external ${c.label}, starting nothing`);
  const result = { mongodbUrl: external.ferretdb || comps.ferretdb.url, kafkaBrokers: external.kafka || comps.kafka.url, startedNow: [] };
  if (wanted.length === 0) return result;
  return withLock(join(dataDir(), 'run', 'up.lock'), { what: 'infra up', log }, async () => {
    await ensureInstalled({ log, only: wanted.map((c) => c.name) });
    const started = Date.now();
    // Every port is checked before anything starts, so a conflict leaves nothing half-up.
    const plan = await allOrError(wanted.map((c) => prepare(c, log)));
    const toStart = wanted.filter((_, i) => plan[i] === 'start');
    await allOrError(toStart.map((c) => start(c, log)));
    result.startedNow = toStart.map((c) => c.name);
    if (!external.kafka) {
      const created = await ensureTopics(result.kafkaBrokers, TOPICS, { numPartitions: 3, replicationFactor: 1 });
      if (created.length) log(`created topics ${created.join(', ')}`);
    }
    if (result.startedNow.length) log(`up in ${secs(started)}s`);
    return result;
  });
}

/**
 * Stops what `up` started in this checkout (SIGTERM, SIGKILL after 10 s) and removes the pid files.
 * `only` limits it, e.g. to the `startedNow` that `up` returned, leaving servers someone else started.
 */
export async function down({ log = defaultLog, only = ['ferretdb', 'kafka'], lock = true } = {}) {
  // lock: false is for a caller whose own up() is still in flight (Ctrl-C during provisioning).
  const locked = lock ? (fn) => withLock(join(dataDir(), 'run', 'up.lock'), { what: 'infra up/down', log }, fn) : (fn) => fn();
  return locked(async () => {
    const stopped = [];
    await Promise.all(
      Object.values(components())
        .filter((c) => only.includes(c.name))
        .map(async (c) => {
          const pid = ourPid(c);
          if (!pid) return log(`${c.label} not running`);
          const started = Date.now();
          log(`stopping ${c.label} (pid ${pid})...`);
          await stopPid(pid, { graceMs: 10_000 });
          removeFile(c.pidFile);
          for (const f of c.extraPidFiles ?? []) removeFile(f);
          stopped.push(c.name);
          log(`${c.label} stopped in ${secs(started)}s`);
        }),
    );
    return stopped;
  });
}

/** One entry per component: running (healthy or not), stopped, external, or port taken by a stranger. */
export async function status() {
  const external = { ferretdb: process.env.MONGODB_URL, kafka: process.env.KAFKA_BROKERS };
  return Promise.all(
    Object.values(components()).map(async (c) => {
      if (external[c.name]) return { name: c.name, state: 'external', url: external[c.name] };
      const pid = ourPid(c);
      if (pid) {
        const port = c.runningPort(pid);
        return { name: c.name, state: (await c.healthy(port)) ? 'running' : 'not answering', pid, port };
      }
      return { name: c.name, state: (await portBusy(c.port)) ? 'stopped (port taken by another process)' : 'stopped', port: c.port };
    }),
  );
}

async function main(cmd) {
  switch (cmd) {
    case 'install': {
      const done = await ensureInstalled({ log: defaultLog });
      defaultLog(done.length ? `installed ${done.join(', ')}` : `already installed (${ferretdbBin()}, kafka jars)`);
      await ensureFfmpeg({ tools: ['ffmpeg', 'ffprobe'], log: defaultLog });
      return;
    }
    case 'up': {
      const { mongodbUrl, kafkaBrokers: brokers } = await up();
      process.stdout.write(`MONGODB_URL=${mongodbUrl}\nKAFKA_BROKERS=${brokers}\n`);
      return;
    }
    case 'down':
      await down();
      return;
    case 'status':
      for (const s of await status()) {
        const where = s.url ?? (s.port ? `127.0.0.1:${s.port}` : '');
        process.stdout.write(`${s.name.padEnd(9)} ${s.state}${s.pid ? ` (pid ${s.pid})` : ''} ${where}\n`);
      }
      return;
    default:
      process.stderr.write('usage: node infra/infra.mjs install|up|down|status\n');
      process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((err) => {
    defaultLog(`error: ${err.message}`);
    process.exitCode = 1;
  });
}
