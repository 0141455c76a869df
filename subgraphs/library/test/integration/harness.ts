// Starts ytm-library in-process on real FerretDB and Kafka: a database of its own, ephemeral
// ports, a music folder in a temp dir, tokens from a TestTokenIssuer.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessTokenVerifier } from '@ytm/auth';
import { createKafka, EventPublisher } from '@ytm/events';
import { closeServer, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { connectMongo } from '@ytm/mongo';
import { closeServer as closeGrpc, listen as listenGrpc } from '@ytm/proto';
import { infraEnv, testIdentity, TestTokenIssuer, uniqueName } from '@ytm/testing';
import type { Connection } from 'mongoose';
import { buildLibraryApp, type LibraryApp } from '../../src/library.app.js';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }>;
}

export interface Harness {
  lib: LibraryApp;
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
  const conn = await connectMongo({ url: env.mongodbUrl, dbName, logger });
  const publisher = new EventPublisher(createKafka({ brokers: env.kafkaBrokers, clientId: uniqueName('lib'), logger }));
  const issuer = new TestTokenIssuer();
  const verifyAccessToken = createAccessTokenVerifier({ resolveKey: issuer.resolveKey, issuer: 'ytm-resource', audience: 'ytm' });
  const lib = await buildLibraryApp({
    conn,
    publisher,
    verifyAccessToken,
    logger,
    musicRoots: [musicDir],
    artDir,
    publicUrl: 'http://router.test',
    production: false,
    grpcGuard: testIdentity('library').guard(logger),
    scanWorkers: 2,
    watchDebounceMs: options.watchDebounceMs ?? 150,
  });
  const http: { server: Server; port: number } = await listen(lib.app.callback(), '127.0.0.1', 0);
  const grpcPort = await listenGrpc(lib.grpc.server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${http.port}`;
  const tokens = { user: issuer.sign({ role: 'USER' }), admin: issuer.sign({ role: 'ADMIN' }) };

  const stop = async () => {
    for (const [, step] of lib.shutdown) await step().catch(() => undefined);
    await closeServer(http.server, 1_000);
    await closeGrpc(lib.grpc.server, 500);
    await publisher.close();
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
