// Types for infra.mjs, so TypeScript tests and scripts can import it.

/** A server started by startFerretDB/startKafka; tests use it to crash, freeze and restart it. */
export interface ServerHandle {
  readonly kind: 'ferretdb' | 'kafka';
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Changes after restart(). */
  readonly pid: number;
  alive(): boolean;
  /** Graceful stop (default SIGTERM), SIGKILL if still alive after 10 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  /** SIGSTOP: the port stays open but nothing answers. */
  pause(): Promise<void>;
  /** SIGCONT. */
  resume(): Promise<void>;
  /** Stops it if alive, starts it again on the same ports and data, waits until it answers. */
  restart(): Promise<ServerHandle>;
}

export interface FerretDBHandle extends ServerHandle {
  readonly kind: 'ferretdb';
  /** mongodb://127.0.0.1:<port> */
  readonly url: string;
}

export interface KafkaHandle extends ServerHandle {
  readonly kind: 'kafka';
  /** 127.0.0.1:<port> */
  readonly brokers: string;
  readonly controllerPort: number;
}

export interface StartOptions {
  port: number;
  dataDir: string;
  /** Default: <dataDir>/<name>.log */
  logFile?: string;
  /** Survive this process (own session). Default false: killed when this process exits. */
  detached?: boolean;
  pidFile?: string;
  timeoutMs?: number;
}

export type Log = (line: string) => void;

export const TOPICS: readonly string[];

export function up(opts?: { log?: Log }): Promise<{ mongodbUrl: string; kafkaBrokers: string; startedNow: string[] }>;
/** Stops our servers (all, or `only` these, e.g. up()'s startedNow); returns the names it stopped. */
export function down(opts?: { log?: Log; only?: string[]; lock?: boolean }): Promise<string[]>;
export function status(): Promise<Array<{ name: string; state: string; pid?: number; port?: number; url?: string }>>;
/** Installs whatever is missing into $YTM_CACHE; returns what it installed. */
export function ensureInstalled(opts?: { log?: Log; only?: Array<'ferretdb' | 'kafka'> }): Promise<string[]>;
/** `idIndex` (default true) also starts infra/sqlite-id-index for it (README: "FerretDB's `_id` index"). */
export function startFerretDB(opts: StartOptions & { idIndex?: boolean }): Promise<FerretDBHandle>;
/**
 * SQLite's plan for FerretDB's `_id` lookup (`WHERE _ferretdb_sjson->'$._id' = ?`) in db.collection
 * of the FerretDB whose data is in dataDir, one step a line: `SEARCH … USING INDEX …` or `SCAN …`.
 */
export function idLookupPlan(dataDir: string, db: string, collection: string): Promise<string>;
export function startKafka(opts: StartOptions & { controllerPort: number; heap?: string }): Promise<KafkaHandle>;
/** Creates the missing topics; returns the ones it created. */
export function ensureTopics(brokers: string, topics: readonly string[], opts?: { numPartitions?: number; replicationFactor?: number }): Promise<string[]>;
export function pingMongo(url: string, timeoutMs?: number): Promise<boolean>;
export function kafkaAnswers(brokers: string, timeoutMs?: number): Promise<boolean>;
export function getFreePort(): Promise<number>;
/** `count` distinct free ports. */
export function getFreePorts(count: number): Promise<number[]>;
/**
 * Makes ffmpeg (and ffprobe when asked) available: FFMPEG_PATH, the PATH, or a static build
 * unpacked from the npm registry into $YTM_CACHE. Returns the env to add (FFMPEG_PATH, PATH)
 * when a tool comes from the cache.
 */
export function ensureFfmpeg(opts?: { tools?: Array<'ffmpeg' | 'ffprobe'>; log?: Log }): Promise<{ FFMPEG_PATH?: string; PATH?: string }>;
export function findFfmpeg(env?: NodeJS.ProcessEnv): Record<'ffmpeg' | 'ffprobe', { path: string; from: 'FFMPEG_PATH' | 'PATH' | 'cache' } | null>;
