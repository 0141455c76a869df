import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { env, loadConfig, z } from '@ytm/config';
import { DEFAULT_PLAN_RULES, type PlanRules } from './domain/plan-rules.js';
import { MIN_KBPS } from './domain/stream-format.js';

/** The only place that reads process.env. */
export function readConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = loadConfig(
    'ytm-stream',
    {
      NODE_ENV: env.nodeEnv(),
      LOG_LEVEL: env.logLevel(),
      HOST: env.string('127.0.0.1'),
      /** Where other services reach this one when HOST is 0.0.0.0 or :: (default: this machine's first non-loopback address). */
      ADVERTISE_HOST: env.optionalString(),
      /** The whole base URL to register instead (behind a port mapping or proxy), e.g. http://library.internal:4001. */
      ADVERTISE_URL: env.optionalString(),
      PORT: env.port(4003),
      GRPC_PORT: env.port(50053),
      /** The ops listener (`/health`, `/ready`, `/metrics`): loopback unless opened on purpose; never published. */
      OPS_HOST: env.string('127.0.0.1'),
      OPS_PORT: env.port(9403),
      /** Where clients reach the range endpoint: the router, which proxies /stream/*. */
      PUBLIC_URL: env.url('http://127.0.0.1:4000'),
      ...env.store('ytm_stream'),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      REGISTRY_URL: env.string('127.0.0.1:50050'),
      /** The trust material (service keys, see README "Trust between services"); `npm start`/`npm test` create it. */
      TRUST_DIR: env.string('./.ytm/trust'),
      /** This service's private key when it is mounted apart from TRUST_DIR (default TRUST_DIR/private/<service>.key.pem). */
      SERVICE_KEY_FILE: env.optionalString(),
      LIBRARY_GRPC_URL: env.string('127.0.0.1:50051'),
      LIBRARY_DEADLINE_MS: env.int(1_000, 50, 30_000),
      TRACK_FILE_CACHE_MS: env.int(10_000, 0, 600_000),
      JWKS_URL: env.url('http://127.0.0.1:4002/.well-known/jwks.json'),
      JWT_ISSUER: env.string('ytm-resource'),
      JWT_AUDIENCE: env.string('ytm'),
      /** Added to the track's duration: pauses and buffering still fit in the ticket's life. */
      TICKET_MARGIN_SECONDS: env.int(300, 10, 86_400),
      /**
       * Upper bound for very long files (audiobooks, DJ mixes). A user's open tickets are looked for among those issued this
       * long ago at most: lowering it leaves tickets issued before with a longer lifetime out of the concurrent-stream rule and
       * sign-out revocation until they expire. At most TICKET_RETENTION_HOURS less 5 minutes (checked at start).
       */
      TICKET_MAX_TTL_SECONDS: env.int(6 * 3600, 60, 7 * 86_400),
      /** How stale a ticket's revocation status may be on this replica (the issue allows 1 s). */
      TICKET_REVOCATION_CHECK_MS: env.int(500, 50, 1_000),
      /** A signed-out session gets no new tickets this long (its access tokens' lifetime). */
      SESSION_MEMORY_MINUTES: env.int(60, 1, 1440),
      /**
       * Expired tickets are deleted this long after they expired, quota slots this long after they were taken: more than a day
       * (the daily quota reads today's) and at least TICKET_MAX_TTL_SECONDS plus 5 minutes (open tickets are found by their slots).
       */
      TICKET_RETENTION_HOURS: env.int(48, 25, 24 * 365),
      /** Raw play history is deleted this long after the play (counts and recent lists keep what it added); at least 8 days. */
      PLAY_HISTORY_RETENTION_DAYS: env.int(180, 8, 36_500),
      /** How often expired tickets, signed-out sessions and old play history are pruned. */
      HOUSEKEEPING_INTERVAL_MINUTES: env.int(60, 1, 24 * 60),
      /** More ranges than this in one request are answered with the whole file (a 200). */
      RANGE_MAX_PARTS: env.int(16, 1, 1_000),
      /**
       * Bytes all file bodies together may send per event-loop turn (round robin): bounds how long a new request waits for the loop.
       * 128 KiB against 1 MiB, 50 readers (bench/stream, 15 s runs): new-listener TTFB p50 1.4–1.7 ms instead of 1.9–2.4, p99 median 9.0 instead of 9.8, same MB/s.
       */
      READ_TURN_BUDGET_KB: env.int(128, 64, 65_536),
      /** Bounds of one read after the first: big for a lone listener (fewer system calls), the minimum when many share the turns. */
      READ_CHUNK_MIN_KB: env.int(64, 4, 1024),
      READ_CHUNK_MAX_KB: env.int(256, 16, 16_384),
      /** The first chunk goes with the headers at once, ahead of every turn: small, so a crowd of new requests stays cheap. */
      READ_FIRST_CHUNK_KB: env.int(16, 1, 1024),
      /**
       * A response whose client takes no bytes this long (its socket buffers full: a player that stopped reading) is cut, so it
       * no longer holds the file descriptor, its open-stream entry or a transcode's spool and process.
       */
      CLIENT_STALL_SECONDS: env.int(60, 1, 3_600),
      /** sync: blocking reads from the page cache, one chunk per stream per loop turn (nginx's model); async: the thread pool, for slow or network storage. */
      FILE_IO: z.enum(['sync', 'async']).default('sync'),
      /** Optional JSON override of the plan table, e.g. {"FREE":{"dailyLimit":50,"maxConcurrentStreams":1},...}. */
      PLAN_RULES: env.optionalString(),
      /** Bitrate caps of the plans (kbit/s); unset: unlimited, originals are served as they are. */
      PLAN_FREE_MAX_BITRATE: optionalKbps(),
      PLAN_PREMIUM_MAX_BITRATE: optionalKbps(),
      /** The ffmpeg binary; unset: `ffmpeg` on PATH (`npm start` / `npm test` provision one when there is none). */
      FFMPEG_PATH: env.optionalString(),
      /** ffmpeg processes at once; more requests wait in the queue. */
      MAX_TRANSCODES: env.int(availableParallelism(), 1, 256),
      /** Requests that may wait for a transcode slot; beyond: 503 with Retry-After at once. */
      TRANSCODE_QUEUE_LENGTH: env.int(8, 0, 10_000),
      /** How long a request waits in the queue before its 503. */
      TRANSCODE_QUEUE_WAIT_MS: env.int(2_000, 0, 60_000),
      /** Finished transcodes, content-addressed; survives restarts. */
      TRANSCODE_CACHE_DIR: env.string('.ytm/transcodes'),
      /** Size limit of the cache; the least recently used transcodes are evicted beyond it. */
      TRANSCODE_CACHE_MB: env.int(2_048, 1, 10_000_000),
      /** ffmpeg's scheduling priority (nice): GraphQL and original streams stay fast. */
      TRANSCODE_NICE: env.int(10, 0, 19),
      /** An ffmpeg that writes nothing this long is killed (a hung decoder never holds a slot). */
      TRANSCODE_STALL_SECONDS: env.int(20, 1, 3_600),
    },
    source,
  );
  const rules = parsePlanRules(c.PLAN_RULES);
  const planRules: PlanRules = {
    FREE: { ...rules.FREE, maxBitrate: c.PLAN_FREE_MAX_BITRATE ?? rules.FREE.maxBitrate },
    PREMIUM: { ...rules.PREMIUM, maxBitrate: c.PLAN_PREMIUM_MAX_BITRATE ?? rules.PREMIUM.maxBitrate },
  };
  return {
    ...c,
    production: c.NODE_ENV === 'production',
    publicUrl: c.PUBLIC_URL.replace(/\/+$/, ''),
    planRules,
    transcodeCacheDir: resolve(c.TRANSCODE_CACHE_DIR),
  };
}

/** kbit/s, optional: '' or unset is unlimited. */
function optionalKbps() {
  return env.optionalString().pipe(z.coerce.number().int().min(MIN_KBPS).max(100_000).optional()).describe(`kbit/s, at least ${MIN_KBPS}`);
}

const planRule = z
  .object({
    dailyLimit: z.number().int().min(0).nullable(),
    maxConcurrentStreams: z.number().int().min(1).max(100),
    maxBitrate: z.number().int().min(MIN_KBPS).nullable().default(null),
  })
  .strict();
const planRulesSchema = z.object({ FREE: planRule, PREMIUM: planRule }).strict();

function parsePlanRules(raw: string | undefined): PlanRules {
  if (raw === undefined) return DEFAULT_PLAN_RULES;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('ytm-stream: invalid configuration:\n  - PLAN_RULES: not valid JSON');
  }
  const parsed = planRulesSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`ytm-stream: invalid configuration:\n  - PLAN_RULES: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export type StreamConfig = ReturnType<typeof readConfig>;
