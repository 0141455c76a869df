import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '@ytm/logger';

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
}

/**
 * Opens a dedicated connection for one service's database. The driver reconnects by itself
 * after the store restarts; operations during the outage wait up to serverSelectionTimeoutMs for
 * it, then fail with a driver error that the edges answer as SERVICE_UNAVAILABLE (@ytm/errors).
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<Connection> {
  const { url, dbName, logger, serverSelectionTimeoutMs = 3_000 } = options;
  const conn = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
    // FerretDB has no retryable writes and no sessions for them.
    retryWrites: false,
    autoIndex: true,
    maxPoolSize: 20,
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
  log.info({ url: redactUrl(url) }, 'mongo connected');
  return conn;
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
