// FerretDB on SQLite: start, health check (a real `ping` through the MongoDB driver).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { launch } from './handle.mjs';
import { ferretdbBin } from './paths.mjs';
import { portOpen, startProcess } from './proc.mjs';

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

/** Starts FerretDB with its SQLite files in dataDir; resolves once it answers ping. */
export async function startFerretDB({ port, dataDir, logFile, detached = false, pidFile, timeoutMs = 20_000 }) {
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
    spawnOnce: () => startProcess(ferretdbBin(), ferretdbArgs({ port, dataDir: dir }), { logFile: log, detached }),
    isReady: async () => (await portOpen(port)) && pingMongo(url),
  });
}
