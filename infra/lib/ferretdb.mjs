// FerretDB on SQLite: start, health check (a real `ping` through the MongoDB driver), and the
// helper that makes its `_id` lookups index seeks (infra/sqlite-id-index/main.go says why).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { launch } from './handle.mjs';
import { ferretdbBin, idIndexBin } from './paths.mjs';
import { cmdline, isAlive, portOpen, readPid, startProcess, writePid } from './proc.mjs';

export const ferretdbUrl = (port) => `mongodb://127.0.0.1:${port}`;

let MongoClient;
async function mongoClient() {
  if (!MongoClient) {
    // In this repo the driver sits under mongoose rather than at the root; load it from there.
    MongoClient = await import('mongodb').then(
      (m) => m.MongoClient,
      () => {
        const require = createRequire(import.meta.url);
        return createRequire(require.resolve('mongoose'))('mongodb').MongoClient;
      },
    );
  }
  return MongoClient;
}

/** True when a MongoDB-protocol server at url answers `ping`. */
export async function pingMongo(url, timeoutMs = 2_000) {
  const Client = await mongoClient();
  const client = new Client(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, directConnection: true });
  try {
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close(true).catch(() => {});
  }
}

export function ferretdbArgs({ port, dataDir }) {
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-', // its default :8088 would clash between several instances
    '--telemetry=disable',
    `--log-level=${process.env.FERRETDB_LOG_LEVEL || 'WARN'}`,
  ];
}

/**
 * Starts FerretDB with its SQLite files in dataDir, and its `_id` index helper (`idIndex: false`
 * leaves it out: FerretDB as released, for benchmarks' before/after); resolves once it answers ping.
 */
export async function startFerretDB({ port, dataDir, logFile, detached = false, pidFile, timeoutMs = 20_000, idIndex = true }) {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const log = logFile ?? join(dir, 'ferretdb.log');
  const url = ferretdbUrl(port);
  return launch({
    name: `FerretDB (127.0.0.1:${port})`,
    logFile: log,
    pidFile,
    timeoutMs,
    props: { kind: 'ferretdb', url, port, dataDir: dir },
    spawnOnce: () => {
      const proc = startProcess(ferretdbBin(), ferretdbArgs({ port, dataDir: dir }), { logFile: log, detached });
      if (idIndex) startIdIndexKeeper({ dataDir: dir, ferretdbPid: proc.pid, logFile: log, detached, pidFile: pidFile && idIndexPidFile(pidFile) });
      return proc;
    },
    isReady: async () => (await portOpen(port)) && pingMongo(url),
  });
}

export const idIndexArgs = ({ dataDir, ferretdbPid }) => [`-dir=${dataDir}`, `-ferretdb-pid=${ferretdbPid}`];
const idIndexPidFile = (ferretdbPidFile) => ferretdbPidFile.replace(/\.pid$/, '') + '-id-index.pid';

/**
 * Starts ytm-sqlite-id-index for the FerretDB whose SQLite files are in dataDir: it indexes every
 * collection table by the expression FerretDB filters `_id` with, and exits when that FerretDB does.
 */
export function startIdIndexKeeper({ dataDir, ferretdbPid, logFile, detached = false, pidFile }) {
  if (!existsSync(idIndexBin())) throw new Error(`${idIndexBin()} is missing; run: node infra/infra.mjs install`);
  const proc = startProcess(idIndexBin(), idIndexArgs({ dataDir, ferretdbPid }), { logFile, detached });
  if (pidFile) writePid(pidFile, proc.pid);
  return proc;
}

/** For a FerretDB that was already running: starts its keeper unless one for that very pid is alive. */
export function ensureIdIndexKeeper({ dataDir, ferretdbPid, logFile, ferretdbPidFile }) {
  const pidFile = idIndexPidFile(ferretdbPidFile);
  const pid = readPid(pidFile);
  const wanted = idIndexArgs({ dataDir, ferretdbPid }).join(' ');
  if (pid && isAlive(pid) && cmdline(pid).includes(wanted)) return false;
  startIdIndexKeeper({ dataDir, ferretdbPid, logFile, detached: true, pidFile });
  return true;
}

/** SQLite's plan for FerretDB's `_id` lookup in db.collection of the FerretDB whose data is in dataDir, one step a line. */
export async function idLookupPlan(dataDir, db, collection) {
  const { stdout } = await promisify(execFile)(idIndexBin(), [`-dir=${resolve(dataDir)}`, `-plan=${db}.${collection}`]);
  return stdout.trim();
}
