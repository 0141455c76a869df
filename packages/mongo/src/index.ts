import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { counter, gaugeFrom } from '@ytm/metrics';
import { storeOf } from './store-info.js';
import { gateWrites, WriteGate } from './write-gate.js';

export { isSeekWrite, StoreBusyError, WriteGate } from './write-gate.js';
export { deleteOneById, updateOneById } from './by-id.js';

export interface ConnectMongoOptions {
  url: string;
  dbName: string;
  logger: Logger;
  /**
   * How long an operation may wait for the store while it is unreachable (server selection, and
   * mongoose's queue while disconnected) before failing as unavailable. Default 3 s, so that with
   * the round trip an operation fails by 5 s (SERVICE_UNAVAILABLE) or completes when the store is back.
   */
  serverSelectionTimeoutMs?: number;
  /**
   * Connections to the store at most (default 20); operations beyond wait their turn in order.
   * On FerretDB with SQLite, concurrent writes back off inside SQLite (20 writers at once: p99
   * ~330 ms; behind 4 connections ~75 ms), while reads queue behind the writes holding them
   * (bench/router/store-writes.mjs and README).
   */
  maxPoolSize?: number;
  /**
   * Inserts and writes by `_id` in flight at once at most (0: no limit); beyond that they wait their
   * turn in order. Reads are not held, nor writes whose filter makes FerretDB read the collection
   * (they would hold a turn for the whole read: `isSeekWrite`). `auto` (the default): 2 when the
   * store is FerretDB, no limit otherwise. FerretDB with SQLite takes one write at a time per
   * database; concurrent ones back off and sleep inside SQLite (20 at once: p99 ~440 ms, behind a
   * gate of 2: ~50 ms, bench/router/store-writes.mjs). A write that waits longer than
   * serverSelectionTimeoutMs fails as unavailable (`StoreBusyError`).
   */
  maxConcurrentWrites?: number | 'auto';
}

/** The gate `auto` puts in front of FerretDB's writes. */
export const FERRETDB_CONCURRENT_WRITES = 2;

/**
 * Opens a dedicated connection for one service's database. The driver reconnects by itself
 * after the store restarts; operations during the outage wait up to serverSelectionTimeoutMs for
 * it, then fail with a driver error that the edges answer as SERVICE_UNAVAILABLE (@ytm/errors).
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<Connection> {
  const { url, dbName, logger, serverSelectionTimeoutMs = 3_000, maxPoolSize = 20, maxConcurrentWrites = 'auto' } = options;
  const conn = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
    // FerretDB has no retryable writes and no sessions for them.
    retryWrites: false,
    autoIndex: true,
    maxPoolSize,
  });
  // Operations queued while disconnected fail as unavailable after the same time (mongoose's default is 10 s).
  conn.set('bufferTimeoutMS', serverSelectionTimeoutMs);
  const log = logger.child({ component: 'mongo', db: dbName });
  // `disconnecting` comes only from close() (shutdown); a lost store goes straight to `disconnected`.
  let closing = false;
  conn.on('disconnecting', () => (closing = true));
  conn.on('disconnected', () => (closing ? log.debug('mongo closed') : log.warn('mongo disconnected')));
  conn.on('reconnected', () => log.info('mongo reconnected'));
  conn.on('error', (err: Error) => log.error({ err: err.message }, 'mongo error'));
  await conn.asPromise();
  const store = await storeOf(conn.getClient());
  const writes = maxConcurrentWrites === 'auto' ? (store.ferretdb ? FERRETDB_CONCURRENT_WRITES : 0) : maxConcurrentWrites;
  if (writes > 0) {
    const gate = new WriteGate(writes, serverSelectionTimeoutMs, () => refusedWrites.inc());
    gateWrites(conn.getClient(), gate);
    gaugeFrom('ytm_store_writes_waiting', 'Document writes waiting for their turn at the store (MONGODB_MAX_CONCURRENT_WRITES)', () => gate.queued);
  }
  log.info({ url: redactUrl(url), store: store.name, maxPoolSize, maxConcurrentWrites: writes || 'unlimited' }, 'mongo connected');
  return conn;
}

const refusedWrites = counter('ytm_store_writes_refused_total', 'Document writes refused after waiting too long for their turn at the store (StoreBusyError)');

/** The store's variables in a service's config (`env.store(db)` in @ytm/config declares them). */
export interface StoreConfig {
  MONGODB_URL: string;
  MONGODB_DB: string;
  MONGODB_MAX_POOL_SIZE: number;
  MONGODB_MAX_CONCURRENT_WRITES: number | 'auto';
}

/** Opens a service's database as its config says. */
export function connectStore(config: StoreConfig, logger: Logger): Promise<Connection> {
  return connectMongo({
    url: config.MONGODB_URL,
    dbName: config.MONGODB_DB,
    logger,
    maxPoolSize: config.MONGODB_MAX_POOL_SIZE,
    maxConcurrentWrites: config.MONGODB_MAX_CONCURRENT_WRITES,
  });
}

/** Readiness probe: a round trip to the server. */
export async function pingMongo(conn: Connection): Promise<void> {
  const db = conn.db;
  if (!db) throw new Error('mongo not connected');
  await db.command({ ping: 1 }, { timeoutMS: 2_000 });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}

/** True for a unique-index violation (E11000), which FerretDB reports like MongoDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Runs an upsert (`updateOne`/`replaceOne` with `upsert: true`) so that a concurrent upsert of the
 * same new document cannot fail it. When two upserts find no document, both insert, and the one
 * whose insert loses gets E11000; MongoDB retries that itself, FerretDB 1.24 does not (of 4
 * concurrent upserts of a new `_id`, 2–3 failed). The document exists after such a failure, so the
 * upsert is sent again and updates it. Every upsert goes through here.
 */
export async function upsert<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      // A duplicate that persists is another unique index's (or a document deleted in between, again and again).
      if (!isDuplicateKeyError(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * A server-side secret (signing or pre-hash key) generated on first use and stored in the
 * service's `secrets` collection. Replicas racing at first start agree on the insert that won.
 */
export async function getOrCreateSecret(conn: Connection, name: string, bytes = 32): Promise<Buffer> {
  const secrets = conn.collection<{ _id: string; value: string; createdAt: Date }>('secrets');
  const existing = await secrets.findOne({ _id: name });
  if (existing) return Buffer.from(existing.value, 'base64');
  try {
    await secrets.insertOne({ _id: name, value: randomBytes(bytes).toString('base64'), createdAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const stored = await secrets.findOne({ _id: name });
  if (!stored) throw new Error(`secret ${name} vanished`);
  return Buffer.from(stored.value, 'base64');
}

/** The part of a driver collection `findByIds` uses (mongoose's `Model.collection` is one). */
export interface FindOneCollection {
  findOne(filter: never, options?: { projection?: Record<string, 0 | 1> }): Promise<unknown>;
}

/**
 * Documents by `_id`, as one `{ _id: id }` lookup per distinct id, in parallel (missing ones are
 * left out). The one way hot paths read a set of documents by `_id`: on FerretDB 1.24 (SQLite)
 * only a filter of exactly `{ _id: <string or ObjectId> }` is an index seek (with the index
 * infra/sqlite-id-index adds); `{ _id: { $in } }`, or `_id` with any other condition, reads every
 * document of the collection. On MongoDB both are index lookups.
 */
export async function findByIds<T>(collection: FindOneCollection, ids: Iterable<string>, projection?: Record<string, 0 | 1>): Promise<T[]> {
  const docs = await Promise.all([...new Set(ids)].map((id) => collection.findOne({ _id: id } as never, projection ? { projection } : undefined)));
  return docs.filter((d): d is T => d !== null && d !== undefined);
}
