// Starts ytm-library in-process on real FerretDB and Kafka: a database of its own, ephemeral
// ports, a music folder in a temp dir, tokens from a TestTokenIssuer.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, httpHandler, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { closeServer as closeGrpc, listen as listenGrpc } from '@ytm/proto';
import { infraEnv, testIdentity, TestTokenIssuer, uniqueName } from '@ytm/testing';
import type { Connection } from 'mongoose';
import { composeService, type ComposedLibrary } from '../../src/composition.js';
import { readConfig } from '../../src/config.js';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }>;
}

export interface Harness {
  lib: ComposedLibrary;
  conn: Connection;
  musicDir: string;
  url: string;
  grpcAddress: string;
  tokens: { user: string; admin: string };
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  /** Runs a full scan to the end and returns its status. */
  scan(full?: boolean): Promise<Record<string, any>>;
  /** Stops the service (not the database) and starts it again on the same database and folder. */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function makeMusicDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ytm-lib-music-'));
}

export async function startLibrary(options: { musicDir?: string; dbName?: string; level?: string; watchDebounceMs?: number } = {}): Promise<Harness> {
  const env = infraEnv();
  const logger = createLogger({ name: 'ytm-library-test', level: options.level ?? process.env.TEST_LOG_LEVEL ?? 'silent' });
  const dbName = options.dbName ?? uniqueName('lib');
  const musicDir = options.musicDir ?? (await makeMusicDir());
  const artDir = await mkdtemp(join(tmpdir(), 'ytm-lib-art-'));
  const config = readConfig({
    NODE_ENV: 'test',
    MONGODB_URL: env.mongodbUrl,
    MONGODB_DB: dbName,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    MUSIC_DIR: musicDir,
    ART_DIR: artDir,
    PUBLIC_URL: 'http://router.test',
    SCAN_WORKERS: '2',
    WATCH_DEBOUNCE_MS: String(options.watchDebounceMs ?? 150),
    // Tests start the watcher and scans themselves.
    WATCH: 'false',
    SCAN_ON_START: 'false',
  });
  const issuer = new TestTokenIssuer();
  const lib = await composeService(config, logger, testIdentity('library'), { resolveAccessKey: issuer.resolveKey });
  await lib.start();
  const conn = lib.conn;
  const http: { server: Server; port: number } = await listen(httpHandler(lib.app, lib.routes), '127.0.0.1', 0);
  const grpcPort = await listenGrpc(lib.grpc.server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${http.port}`;
  const tokens = { user: issuer.sign({ role: 'USER' }), admin: issuer.sign({ role: 'ADMIN' }) };

  /** Stops the servers and everything the service built except its database connection. */
  const stop = async () => {
    await closeServer(http.server, 1_000);
    await closeGrpc(lib.grpc.server, 500);
    for (const [name, step] of lib.shutdown) if (name !== 'mongo') await step().catch(() => undefined);
  };

  const harness: Harness = {
    lib,
    conn,
    musicDir,
    url,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    tokens,
    async gql(query, variables, token = tokens.user) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<any>;
    },
    async scan(full = false) {
      lib.scanner.start(full);
      return lib.scanner.idle();
    },
    async restart() {
      await stop();
      await conn.close();
      return startLibrary({ ...options, musicDir, dbName });
    },
    async close() {
      await stop();
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await rm(artDir, { recursive: true, force: true });
      if (!options.musicDir) await rm(musicDir, { recursive: true, force: true });
    },
  };
  return harness;
}
