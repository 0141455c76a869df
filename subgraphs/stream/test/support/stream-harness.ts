import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, httpHandler, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { closeServer as closeGrpc, createClient, listen as listenGrpc, StreamClient, unaryCall, type TrackFile } from '@ytm/proto';
import { infraEnv, testIdentity, TestTokenIssuer, uniqueName } from '@ytm/testing';
import type { CallerCredentials } from '@ytm/proto';
import { readConfig } from '../../src/config.js';
import { composeService, type ComposedStream } from '../../src/composition.js';
import { startFakeLibrary } from './fake-library.grpc-server.js';
import { writeWav } from './wav.js';

export interface Harness {
  baseUrl: string;
  grpcAddress: string;
  issuer: TestTokenIssuer;
  stream: ComposedStream;
  dir: string;
  tracks: Map<string, TrackFile>;
  dbName: string;
  /** Adds a WAV track of `seconds` to the fake library. */
  addTrack(id: string, seconds: number): TrackFile;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  requestPlayback(
    token: string,
    trackId: string,
    options?: { format?: string; maxBitrate?: number },
  ): Promise<{ url: string; expiresAt: string; mimeType: string; token: string; format: string; bitrate: number | null }>;
  /** Adds a track file made elsewhere (e.g. by ffmpeg) to the fake library. */
  addFile(id: string, path: string, mimeType: string, durationSeconds: number, bitrate?: number): TrackFile;
  close(): Promise<void>;
}

/** ytm-stream in-process on ephemeral ports, on the real FerretDB and Kafka, with a fake library over real gRPC. */
export async function startHarness(
  env: Record<string, string> = {},
  shared: { dbName?: string; issuer?: TestTokenIssuer; tracks?: Map<string, TrackFile> } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ytm-stream-test-'));
  const tracks = shared.tracks ?? new Map<string, TrackFile>();
  const library = await startFakeLibrary(tracks);
  const issuer = shared.issuer ?? new TestTokenIssuer();
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbName = shared.dbName ?? uniqueName('stream_test');
  const config = readConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_URL: mongodbUrl,
    MONGODB_DB: dbName,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    LIBRARY_GRPC_URL: library.address,
    TRACK_FILE_CACHE_MS: '200',
    PUBLIC_URL: 'http://public.invalid',
    TRANSCODE_CACHE_DIR: join(dir, 'transcodes'),
    // FILE_IO=async runs the suite on the thread-pool file path.
    ...(process.env.FILE_IO ? { FILE_IO: process.env.FILE_IO } : {}),
    ...env,
  });
  const logger = createLogger({ name: 'ytm-stream-test', level: config.LOG_LEVEL });
  const stream = await composeService(config, logger, testIdentity('stream'), { resolveAccessKey: issuer.resolveKey });
  await stream.start();
  const { server, port } = await listen(httpHandler(stream.app, stream.routes), '127.0.0.1', 0);
  const grpcPort = await listenGrpc(stream.grpc.server, '127.0.0.1', 0);
  const baseUrl = `http://127.0.0.1:${port}`;

  const graphql: Harness['graphql'] = async (query, variables = {}, token) => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };

  return {
    baseUrl,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    issuer,
    stream,
    dir,
    tracks,
    dbName,
    addTrack(id, seconds) {
      const path = join(dir, `${id}.wav`);
      const { size, durationSeconds } = writeWav(path, seconds);
      const file: TrackFile = { trackId: id, path, size, mtimeMs: Date.now(), mimeType: 'audio/wav', durationSeconds };
      tracks.set(id, file);
      return file;
    },
    addFile(id, path, mimeType, durationSeconds, bitrate) {
      const st = statSync(path);
      const file: TrackFile = { trackId: id, path, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), mimeType, durationSeconds, ...(bitrate ? { bitrate } : {}) };
      tracks.set(id, file);
      return file;
    },
    graphql,
    async requestPlayback(token, trackId, options = {}) {
      const r = await graphql<{ requestPlayback: { url: string; expiresAt: string; mimeType: string; format: string; bitrate: number | null } }>(
        'mutation($id: ID!, $format: StreamFormat, $max: Int) { requestPlayback(trackId: $id, format: $format, maxBitrate: $max) { url expiresAt mimeType format bitrate track { id } } }',
        { id: trackId, format: options.format ?? 'ORIGINAL', max: options.maxBitrate ?? null },
        token,
      );
      if (!r.data) throw Object.assign(new Error(r.errors?.[0]?.message ?? 'no data'), { code: r.errors?.[0]?.extensions?.code });
      const t = r.data.requestPlayback;
      return { ...t, token: t.url.slice(t.url.lastIndexOf('/') + 1) };
    },
    async close() {
      await closeServer(server as Server, 500);
      await closeGrpc(stream.grpc.server, 500);
      if (!shared.dbName) await stream.conn.db?.dropDatabase().catch(() => undefined);
      for (const [, run] of stream.shutdown) await run().catch(() => undefined);
      await library.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ticket URL on this harness (the public URL points at the router, absent in these tests). */
export function ticketUrl(h: Harness, token: string, query = ''): string {
  return `${h.baseUrl}/stream/${token}${query}`;
}

/** Calls the harness's gRPC Stream.RevokeTickets as resource does on signOut / downgrade (or as another caller). */
export async function revokeOverGrpc(h: Harness, userId: string, sessionId?: string, caller: CallerCredentials = testIdentity('resource')): Promise<number> {
  const client = createClient(StreamClient, h.grpcAddress, caller);
  try {
    const r = await unaryCall(client.revokeTickets.bind(client), { userId, ...(sessionId ? { sessionId } : {}) }, { deadlineMs: 2_000 });
    return r.revoked;
  } finally {
    client.close();
  }
}

/** Claims of a ticket token (no verification: tests inspect what they were given). */
export function ticketClaims(token: string): { sub: string; sid: string; trk: string; jti: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as never;
}
