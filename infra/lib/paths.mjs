// Where things live and which versions we pin; the only place that reads YTM_* env vars.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = '1.24.2';
export const KAFKA_VERSION = '3.9.1';
export const SCALA_VERSION = '2.13';
export const SLF4J_VERSION = '1.7.36';

export const TOPICS = ['ytm.library.events', 'ytm.resource.events', 'ytm.stream.events', 'ytm.resource.user-changes'];

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Binaries and jars: shared by every checkout on the machine, never inside the repo. */
export function cacheDir() {
  return resolve(process.env.YTM_CACHE || join(homedir(), '.cache', 'ytm'));
}

/** Runtime state of this checkout: data, logs, pid files. */
export function dataDir() {
  return resolve(process.env.YTM_DATA_DIR || join(REPO_ROOT, '.ytm'));
}

export const ferretdbBin = () => join(cacheDir(), 'bin', 'ferretdb');
/** Our helper that makes FerretDB's `_id` lookups index seeks (infra/sqlite-id-index). */
export const idIndexBin = () => join(cacheDir(), 'bin', 'ytm-sqlite-id-index');
export const kafkaHome = () => join(cacheDir(), `kafka-${KAFKA_VERSION}`);
export const kafkaLibs = () => join(kafkaHome(), 'libs');

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a valid TCP port (1-65535)`);
  }
  return port;
}

export function defaultPorts() {
  return {
    ferretdb: portFromEnv('FERRETDB_PORT', 27017),
    kafka: portFromEnv('KAFKA_PORT', 9092),
    kafkaController: portFromEnv('KAFKA_CONTROLLER_PORT', 9093),
  };
}
