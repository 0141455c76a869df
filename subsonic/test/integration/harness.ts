// ytm-subsonic composed in-process (composeService, its HTTP app on an ephemeral port) in front of a
// router double: a real HTTP server that answers /graphql by executing the public schema
// (supergraph.graphql, graphql-js) over an in-memory library and playlists, admits at most 64
// requests in flight per client address as the router does (HTTP_CONCURRENT_PER_ADDRESS: 429 and
// RATE_LIMITED beyond), decides requestPlayback with stream's own rule (choosePlayback), and
// answers /art/* and /stream/* as a test sets. resource's gRPC side is played by the composition's
// overrides (a credential verifier and an in-memory user-data store).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, type GraphQLFormattedError } from 'graphql';
import { BadUserInputError, ConflictError, DomainError, NotFoundError } from '@ytm/errors';
import { closeServer, httpHandler, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { testIdentity } from '@ytm/testing';
import { choosePlayback, type StreamFormat } from '../../../subgraphs/stream/src/domain/stream-format.js';
import { CredentialRejected, type Principal } from '../../src/auth/principal.js';
import { composeService, type ComposedSubsonic } from '../../src/composition.js';
import { readConfig } from '../../src/config.js';
import type { GqlTrack } from '../../src/ytm/model.js';
import type { SavedPlayQueue, UserDataStore } from '../../src/ytm/user-data.grpc-client.js';

/** The router's per-address limit of requests in flight (router/src/config.ts, HTTP_CONCURRENT_PER_ADDRESS). */
export const ROUTER_CONCURRENT_PER_ADDRESS = 64;

const schema = buildSchema(readFileSync(new URL('../../../supergraph.graphql', import.meta.url), 'utf8'), { assumeValidSDL: true });

interface PlaylistDoc {
  id: string;
  ownerId: string;
  name: string;
  description: string | null;
  visibility: 'PRIVATE' | 'PUBLIC';
  version: number;
  items: Array<{ id: string; trackId: string }>;
  createdAt: string;
  updatedAt: string;
}

interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: T }>;
}

/** Offset cursors over an in-memory list. */
function connection<T>(all: readonly T[], first: number | null | undefined, after: string | null | undefined): Connection<T> {
  const start = after ? Number(Buffer.from(after, 'base64url').toString()) + 1 : 0;
  const page = all.slice(start, start + (first ?? 25));
  const edges = page.map((node, i) => ({ cursor: Buffer.from(String(start + i)).toString('base64url'), node }));
  return { totalCount: all.length, pageInfo: { hasNextPage: start + page.length < all.length, endCursor: edges.at(-1)?.cursor ?? null }, edges };
}

export interface PlaybackRequest {
  trackId: string;
  format: StreamFormat;
  maxBitrate: number | null;
}

export interface RouterDouble {
  url: string;
  /** Every track the library has; `removed` ones read as gone (null), as after a rescan. */
  tracks: Map<string, GqlTrack>;
  removed: Set<string>;
  playlists: Map<string, PlaylistDoc>;
  /** GraphQL requests received (admitted or refused), refused ones, and the most ever in flight at once. */
  stats: { graphql: number; refused: number; maxInFlight: number };
  /** requestPlayback calls, in order. */
  playbacks: PlaybackRequest[];
  /** Each GraphQL answer's latency (ms), so a fan-out shows as requests in flight. */
  delayMs: number;
  /** What `/art/<id>` answers: a status (200 answers a few bytes of PNG). */
  artStatus: number;
  /** Adds `count` tracks of `genre`; answers their IDs in order. */
  addTracks(count: number, genre?: string): string[];
  resetStats(): void;
}

/** The router double on an ephemeral port. */
async function startRouterDouble(
  viewers: Map<string, { id: string; displayName: string }>,
  delayMs: number,
): Promise<{ double: RouterDouble; server: http.Server }> {
  const inFlight = new Map<string, number>();
  const double: RouterDouble = {
    url: '',
    tracks: new Map(),
    removed: new Set(),
    playlists: new Map(),
    stats: { graphql: 0, refused: 0, maxInFlight: 0 },
    playbacks: [],
    delayMs,
    artStatus: 200,
    addTracks(count, genre = 'Rock') {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = `tr_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
        const n = this.tracks.size + 1;
        this.tracks.set(id, {
          id,
          title: `Song ${n}`,
          trackNumber: (n % 20) + 1,
          discNumber: 1,
          duration: 180 + (n % 60),
          genres: [genre],
          year: 2001,
          addedAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
          likedAt: null,
          format: { container: 'flac', codec: 'flac', mimeType: 'audio/flac', bitrate: 900_000, sampleRate: 44_100, channels: 2, fileSize: 20_000_000 },
          coverArt: { url: `http://router.invalid/art/${'c'.repeat(32)}` },
          album: { id: 'al_1', title: 'Album', artist: { id: 'ar_1', name: 'Artist' } },
          artists: [{ id: 'ar_1', name: 'Artist' }],
        });
        ids.push(id);
      }
      return ids;
    },
    resetStats() {
      this.stats = { graphql: 0, refused: 0, maxInFlight: 0 };
      this.playbacks = [];
    },
  };
  const track = (id: string) => (double.removed.has(id) ? null : (double.tracks.get(id) ?? null));
  const playlistView = (p: PlaylistDoc) => ({
    ...p,
    trackCount: p.items.length,
    owner: { id: p.ownerId, displayName: viewers.get(p.ownerId)?.displayName ?? p.ownerId },
    items: ({ first, after }: { first?: number; after?: string }) =>
      connection(
        p.items.map((i, position) => ({ id: i.id, position, addedAt: p.createdAt, track: track(i.trackId) })),
        first,
        after,
      ),
  });
  const owned = (viewerId: string, id: string, expectedVersion?: number | null) => {
    const p = double.playlists.get(id);
    if (!p || p.ownerId !== viewerId) throw new NotFoundError('Playlist not found');
    if (expectedVersion != null && expectedVersion !== p.version) throw new ConflictError('The playlist changed', { currentVersion: p.version });
    return p;
  };
  const changed = (p: PlaylistDoc) => {
    p.version += 1;
    p.updatedAt = new Date().toISOString();
    return playlistView(p);
  };
  const rootFor = (viewerId: string) => ({
    track: ({ id }: { id: string }) => track(id),
    tracks: ({ first, after, filter }: { first?: number; after?: string; filter?: { genre?: string } }) =>
      connection(
        [...double.tracks.values()].filter((t) => !double.removed.has(t.id) && (!filter?.genre || t.genres.includes(filter.genre))),
        first,
        after,
      ),
    me: () => ({
      id: viewerId,
      playlists: ({ first, after }: { first?: number; after?: string }) =>
        connection(
          [...double.playlists.values()].filter((p) => p.ownerId === viewerId).map((p) => playlistView(p)),
          first,
          after,
        ),
    }),
    playlist: ({ id }: { id: string }) => {
      const p = double.playlists.get(id);
      return p && (p.ownerId === viewerId || p.visibility === 'PUBLIC') ? playlistView(p) : null;
    },
    createPlaylist: ({ input }: { input: { name: string; description?: string } }) => {
      const now = new Date().toISOString();
      const p: PlaylistDoc = {
        id: randomUUID(),
        ownerId: viewerId,
        name: input.name,
        description: input.description ?? null,
        visibility: 'PRIVATE',
        version: 1,
        items: [],
        createdAt: now,
        updatedAt: now,
      };
      double.playlists.set(p.id, p);
      return playlistView(p);
    },
    addTracksToPlaylist: ({ id, trackIds, expectedVersion }: { id: string; trackIds: string[]; expectedVersion?: number }) => {
      const p = owned(viewerId, id, expectedVersion);
      const unknown = trackIds.filter((t) => !track(t));
      if (unknown.length > 0) throw new DomainError('BAD_USER_INPUT', 'Unknown tracks', { unknownTrackIds: unknown });
      if (p.items.length + trackIds.length > 10_000) throw new BadUserInputError('A playlist holds at most 10000 items', 'trackIds');
      p.items.push(...trackIds.map((trackId) => ({ id: randomUUID(), trackId })));
      return changed(p);
    },
    removePlaylistItems: ({ id, itemIds, expectedVersion }: { id: string; itemIds: string[]; expectedVersion?: number }) => {
      const p = owned(viewerId, id, expectedVersion);
      p.items = p.items.filter((i) => !itemIds.includes(i.id));
      return changed(p);
    },
    deletePlaylist: ({ id }: { id: string }) => double.playlists.delete(owned(viewerId, id).id),
    requestPlayback: ({ trackId, format, maxBitrate }: { trackId: string; format: StreamFormat; maxBitrate?: number | null }) => {
      double.playbacks.push({ trackId, format, maxBitrate: maxBitrate ?? null });
      const t = track(trackId);
      if (!t) throw new NotFoundError('Track not found');
      // stream's own rule: BAD_USER_INPUT outside 32–512 kbit/s.
      const choice = choosePlayback(format, maxBitrate, null, {
        bitrate: t.format.bitrate ?? undefined,
        size: t.format.fileSize,
        durationSeconds: t.duration,
        mimeType: t.format.mimeType,
      });
      return {
        url: `http://router.invalid/stream/${randomUUID()}`,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        format: choice.format,
        bitrate: choice.bitrate,
      };
    },
  });

  const formatError = (e: { message: string; originalError?: Error | undefined; extensions?: Record<string, unknown> }): GraphQLFormattedError => {
    const original = e.originalError;
    if (original instanceof DomainError) return { message: original.message, extensions: { code: original.code, ...original.extensions } };
    return { message: e.message, extensions: { code: original ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_VALIDATION_FAILED' } };
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/art/')) {
      if (double.artStatus === 200) {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': '4' });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else send(double.artStatus, { error: { code: 'UNAVAILABLE', message: `art answered ${double.artStatus}` } }, { 'retry-after': '2' });
      return;
    }
    if (path.startsWith('/stream/')) {
      res.writeHead(200, { 'content-type': 'audio/flac', 'content-length': '5' });
      res.end('audio');
      return;
    }
    if (path !== '/graphql' || req.method !== 'POST') return send(404, { error: 'not in this double' });
    double.stats.graphql += 1;
    // The router's ConcurrencyLimit: a slot per request of this address until its response closes.
    const address = req.socket.remoteAddress ?? 'unknown';
    const held = inFlight.get(address) ?? 0;
    if (held >= ROUTER_CONCURRENT_PER_ADDRESS) {
      double.stats.refused += 1;
      req.resume();
      const message = `Too many concurrent requests from this address (at most ${ROUTER_CONCURRENT_PER_ADDRESS}); retry when one has finished`;
      return send(429, { errors: [{ message, extensions: { code: 'RATE_LIMITED', retryAfter: 1 } }] }, { 'retry-after': '1', connection: 'close' });
    }
    inFlight.set(address, held + 1);
    double.stats.maxInFlight = Math.max(double.stats.maxInFlight, held + 1);
    res.once('close', () => inFlight.set(address, (inFlight.get(address) ?? 1) - 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const viewer = [...viewers.values()].find((v) => `token-${v.id}` === token);
        if (!viewer) return send(200, { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] });
        await new Promise((r) => setTimeout(r, double.delayMs));
        const result = await graphql({ schema, source: query, rootValue: rootFor(viewer.id), variableValues: variables ?? {} });
        send(200, { data: result.data ?? null, ...(result.errors ? { errors: result.errors.map(formatError) } : {}) });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { double, server };
}

/** resource's user data for subsonic, in memory; `saves` counts SavePlayQueue calls. */
class MemoryUserData implements UserDataStore {
  readonly queues = new Map<string, SavedPlayQueue>();
  saves = 0;
  async annotations() {
    return [];
  }
  async setRating() {}
  async setStarred() {}
  async playQueue(userId: string) {
    return this.queues.get(userId) ?? null;
  }
  async savePlayQueue(userId: string, q: Omit<SavedPlayQueue, 'changedAt'>) {
    this.saves += 1;
    this.queues.set(userId, { ...q, changedAt: new Date() });
  }
  close() {}
}

export interface Harness {
  router: RouterDouble;
  userData: MemoryUserData;
  subsonic: ComposedSubsonic;
  /** The viewer's API key. */
  apiKey: string;
  /** `/rest/<endpoint>` with `f=json`, as a GET (or a form POST: long parameters); the HTTP status and `subsonic-response`. */
  rest(endpoint: string, params?: Record<string, string | string[]>, how?: 'GET' | 'POST'): Promise<{ status: number; body: Record<string, any> }>;
  /** The raw response (binary endpoints). */
  fetchRest(endpoint: string, params?: Record<string, string | string[]>): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: { graphqlDelayMs?: number } = {}): Promise<Harness> {
  const ann: Principal = {
    userId: 'u_ann',
    email: 'ann@ytm.test',
    displayName: 'Ann',
    role: 'USER',
    planTier: 'FREE',
    apiKeyId: 'k_ann',
    accessToken: 'token-u_ann',
    accessTokenExpiresAt: Date.now() + 3_600_000,
  };
  const apiKey = 'ytm_ann_key';
  const { double, server: routerServer } = await startRouterDouble(
    new Map([[ann.userId, { id: ann.userId, displayName: ann.displayName }]]),
    options.graphqlDelayMs ?? 30,
  );
  const userData = new MemoryUserData();
  const config = readConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ROUTER_URL: double.url, AUTH_FAILURES_PER_ADDRESS: '1000' });
  const logger = createLogger({ name: 'subsonic-it', level: config.LOG_LEVEL });
  const subsonic = composeService(config, logger, testIdentity('subsonic'), {
    verifier: {
      authenticateApiKey: async (secret) => {
        if (secret !== apiKey) throw new CredentialRejected('invalid', 'Invalid API key');
        return ann;
      },
      verifyPassword: async () => {
        throw new CredentialRejected('invalid', 'wrong');
      },
      close: () => undefined,
    },
    userData,
  });
  const { server } = await listen(httpHandler(subsonic.app), '127.0.0.1', 0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const form = (params: Record<string, string | string[]>) => {
    const q = new URLSearchParams({ apiKey, f: 'json', v: '1.16.1', c: 'it' });
    for (const [k, v] of Object.entries(params)) {
      q.delete(k);
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
    }
    return q;
  };
  const fetchRest: Harness['fetchRest'] = (endpoint, params = {}) => fetch(`${base}/rest/${endpoint}?${form(params).toString()}`);
  return {
    router: double,
    userData,
    subsonic,
    apiKey,
    fetchRest,
    async rest(endpoint, params = {}, how = 'GET') {
      const res =
        how === 'GET'
          ? await fetchRest(endpoint, params)
          : await fetch(`${base}/rest/${endpoint}`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: form(params).toString(),
            });
      const text = await res.text();
      let body: Record<string, any>;
      try {
        body = (JSON.parse(text) as { 'subsonic-response': Record<string, any> })['subsonic-response'];
      } catch {
        body = { raw: text };
      }
      return { status: res.status, body };
    },
    async close() {
      await closeServer(server, 1_000);
      for (const [, step] of subsonic.shutdown) await step();
      routerServer.closeAllConnections();
      await new Promise<void>((resolve) => routerServer.close(() => resolve()));
    },
  };
}
