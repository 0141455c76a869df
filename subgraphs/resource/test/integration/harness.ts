// Starts ytm-resource in-process on real FerretDB and Kafka (ephemeral ports, a database of its
// own), with stream's and library's gRPC services played by small real gRPC servers.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { jest } from '@jest/globals';
import { closeServer, httpHandler, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { createEnvelope, createKafka, EventPublisher, topicOf, type Envelope, type EventType } from '@ytm/events';
import {
  closeServer as closeGrpc,
  createGrpcServer,
  LibraryService,
  listen as listenGrpc,
  Metadata,
  status,
  StreamService,
  type LibraryServer,
  type StreamServer,
  type TrackSummary,
} from '@ytm/proto';
import { infraEnv, testIdentity, uniqueName, waitFor } from '@ytm/testing';
import { composeService, type ComposedResource, type ResourceOverrides } from '../../src/composition.js';
import { readConfig } from '../../src/config.js';
import { BcryptPasswordHasher } from '../../src/crypto/password-hasher.js';
import type { PasswordHasher } from '../../src/domain/ports.js';

// Real FerretDB and Kafka: consumer-group joins alone take seconds.
jest.setTimeout(60_000);

export const ADMIN = { email: 'admin@ytm.test', password: 'admin-password-1' };

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

/** A small real gRPC LibraryService: the tracks it knows, and how it behaves. */
export interface LibraryDouble {
  tracks: Map<string, TrackSummary>;
  /** ok; unavailable (answers UNAVAILABLE); silent (never answers: the caller's deadline fires). */
  mode: 'ok' | 'unavailable' | 'silent';
  calls: number;
  add(count: number, prefix?: string): string[];
}

export interface Harness {
  resource: ComposedResource;
  library: LibraryDouble;
  /** Publishes a library event as ytm-library would (after the resource consumer joined). */
  publishLibraryEvent(type: Extract<EventType, 'library.track.removed' | 'library.track.added'>, trackId: string): Promise<void>;
  /** Announces a user change as another replica of resource would (after the resource consumers joined). */
  announceUserChange(userId: string): Promise<void>;
  /** Announces a new version of a user's liked set on the replicas' topic, as another replica does after its commit. */
  announceLikesChange(userId: string, version: number): Promise<void>;
  url: string;
  /** RevokeTickets calls received by the stand-in stream service. */
  revoked: Array<{ userId: string; sessionId?: string }>;
  hasher: CountingHasher;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string, headers?: Record<string, string>): Promise<GqlResult<T>>;
  signUp(prefix?: string, password?: string): Promise<TestSession>;
  signInAdmin(): Promise<TestSession>;
  close(): Promise<void>;
}

export interface TestSession {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; displayName: string };
  password: string;
}

/** Counts hashing work, to prove throttling happens before it. */
export class CountingHasher implements PasswordHasher {
  verifies = 0;
  constructor(private readonly inner: PasswordHasher) {}
  hash(password: string) {
    return this.inner.hash(password);
  }
  verify(password: string, hash: string) {
    this.verifies += 1;
    return this.inner.verify(password, hash);
  }
  verifyDummy(password: string) {
    this.verifies += 1;
    return this.inner.verifyDummy(password);
  }
}

const SESSION_FIELDS = 'accessToken refreshToken user { id email displayName }';

export interface HarnessOptions {
  env?: Record<string, string>;
  bcryptCost?: number;
  overrides?: Omit<ResourceOverrides, 'passwords'>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const revoked: Harness['revoked'] = [];
  // Doubles guarded like the real services: they admit only resource's identity.
  const quiet = { warn: () => undefined };
  const stream = createGrpcServer({ guard: testIdentity('stream').guard(quiet) });
  stream.server.addService(StreamService, {
    revokeTickets: (call, cb) => {
      revoked.push({ userId: call.request.userId, ...(call.request.sessionId ? { sessionId: call.request.sessionId } : {}) });
      cb(null, { revoked: 1 });
    },
  } satisfies StreamServer);
  const streamPort = await listenGrpc(stream.server, '127.0.0.1', 0);

  const library: LibraryDouble = {
    tracks: new Map(),
    mode: 'ok',
    calls: 0,
    add(count, prefix = 'trk') {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
        this.tracks.set(id, {
          id,
          title: `Title ${id}`,
          durationSeconds: 180 + (i % 60),
          albumId: 'alb1',
          albumTitle: 'Album',
          artistNames: ['Artist A', 'Artist B'],
          relativePath: `Artist A/Album/${String(i + 1).padStart(2, '0')} ${id}.flac`,
        });
        ids.push(id);
      }
      return ids;
    },
  };
  const libraryServer = createGrpcServer({ guard: testIdentity('library').guard(quiet) });
  libraryServer.server.addService(LibraryService, {
    getTrackFile: (_call, cb) => cb({ code: status.UNIMPLEMENTED, details: 'not in this double', metadata: new Metadata() }),
    batchGetTracks: (call, cb) => {
      library.calls += 1;
      if (library.mode === 'silent') return;
      if (library.mode === 'unavailable') return cb({ code: status.UNAVAILABLE, details: 'library is restarting', metadata: new Metadata() });
      const tracks = call.request.ids.flatMap((id) => library.tracks.get(id) ?? []);
      cb(null, { tracks, missingIds: call.request.ids.filter((id) => !library.tracks.has(id)) });
    },
  } satisfies LibraryServer);
  const libraryPort = await listenGrpc(libraryServer.server, '127.0.0.1', 0);

  const infra = infraEnv();
  const config = readConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_URL: infra.mongodbUrl,
    MONGODB_DB: uniqueName('resource_it'),
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_GROUP_ID: uniqueName('resource_it'),
    KAFKA_FROM_BEGINNING: 'false',
    STREAM_GRPC_URL: `127.0.0.1:${streamPort}`,
    LIBRARY_GRPC_URL: `127.0.0.1:${libraryPort}`,
    LIBRARY_DEADLINE_MS: '2000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...options.env,
  });
  const logger = createLogger({ name: 'resource-it', level: config.LOG_LEVEL });
  const hasher = new CountingHasher(new BcryptPasswordHasher(randomBytes(32), options.bcryptCost ?? 4));
  const resource = await composeService(config, logger, testIdentity('resource'), { ...options.overrides, passwords: hasher });
  await resource.start();
  const { server, port } = await listen(httpHandler(resource.app, resource.routes), '127.0.0.1', 0);
  const url = `http://127.0.0.1:${port}`;

  const gql: Harness['gql'] = async (query, variables = {}, token, headers = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<any>;
  };

  const signUp: Harness['signUp'] = async (prefix = 'user', password = 'correct horse battery') => {
    const email = `${prefix}-${randomUUID().slice(0, 8)}@ytm.test`;
    const r = await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { ${SESSION_FIELDS} } }`, {
      input: { email, password, displayName: `${prefix} ${email.slice(0, 12)}` },
    });
    if (!r.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(r.errors)}`);
    return { ...(r.data.signUp as Omit<TestSession, 'password'>), password };
  };

  const signInAdmin = async (): Promise<TestSession> => {
    const r = await gql(
      `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ${SESSION_FIELDS} } }`,
      { e: ADMIN.email, p: ADMIN.password },
      undefined,
      {
        'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}`,
      },
    );
    if (!r.data?.signIn) throw new Error(`admin signIn failed: ${JSON.stringify(r.errors)}`);
    return { ...(r.data.signIn as Omit<TestSession, 'password'>), password: ADMIN.password };
  };

  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'library-double', logger });
  const publisher = new EventPublisher(kafka);
  /** Sends an event once resource's consumers have joined (so they see it). */
  const publish = async (envelope: Envelope): Promise<void> => {
    await waitFor(() => resource.consumerJoined(), 30_000, 100, 'resource consumers joined');
    await publisher.send(topicOf(envelope.type), [{ key: envelope.subject, value: JSON.stringify(envelope) }]);
  };
  const publishLibraryEvent: Harness['publishLibraryEvent'] = (type, trackId) =>
    publish(createEnvelope('ytm-library', type, trackId, { __typename: 'Track', id: trackId } as never));
  const announceUserChange: Harness['announceUserChange'] = (userId) =>
    publish(createEnvelope('ytm-resource', 'resource.user.changed', userId, { __typename: 'User', id: userId }));
  const announceLikesChange: Harness['announceLikesChange'] = (userId, version) =>
    publish(createEnvelope('ytm-resource', 'resource.user.likes-changed', userId, { __typename: 'User', id: userId, version }));

  return {
    resource,
    library,
    publishLibraryEvent,
    announceUserChange,
    announceLikesChange,
    url,
    revoked,
    hasher,
    gql,
    signUp,
    signInAdmin,
    async close() {
      await closeServer(server as Server, 1_000);
      const db = resource.conn.db;
      const steps = resource.shutdown.filter(([name]) => name !== 'mongo');
      for (const [, run] of steps) await run().catch(() => undefined);
      await db?.dropDatabase().catch(() => undefined);
      await resource.conn.close();
      await publisher.close();
      await closeGrpc(stream.server, 100);
      await closeGrpc(libraryServer.server, 100);
    },
  };
}

export function codeOf(r: GqlResult): string | undefined {
  return r.errors?.[0]?.extensions?.code as string | undefined;
}
