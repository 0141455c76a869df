import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@ytm/logger';
import type { TranscodeSpec } from '../domain/stream-format.js';
import type { TrackFile } from '../domain/ticket.js';

export interface CachedTranscode {
  path: string;
  size: number;
  mtimeMs: number;
}

interface Entry {
  size: number;
  usedAt: number;
}

/** A source's identity as the library reports it: a changed file is a new identity. */
export type SourceIdentity = Pick<TrackFile, 'path' | 'size' | 'mtimeMs'>;

const EXTENSIONS: Record<TranscodeSpec['format'], string> = { OPUS: 'ogg', MP3: 'mp3', AAC: 'm4a' };
const NAME = /^([0-9a-f]{64})\.(OPUS|MP3|AAC)\.(\d+)\.(ogg|mp3|m4a)$/;
const MAX_REMEMBERED_SOURCES = 100_000;
/** A hit records its use in the file's atime (the LRU order after a restart) at most this often. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Finished transcodes on disk, content-addressed: `objects/<sha256 of the source>.<format>.<kbps>.<ext>`,
 * so a moved or re-scanned file finds its transcodes again. The total size stays under `maxBytes`
 * by evicting the least recently used. Survives restarts: the objects are scanned at start (their
 * atime is the last use) and the source hashes already computed are kept in `sources.json`. An
 * object's mtime is set once, in whole seconds, when it is cached and never moves after: the ETag
 * and Last-Modified of a finished transcode are made of it (`serveOpenFile`, as for originals).
 */
export class TranscodeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashes = new Map<string, string>();
  private readonly hashing = new Map<string, Promise<string>>();
  private total = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly objects: string;
  private readonly tmp: string;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {
    this.objects = join(dir, 'objects');
    this.tmp = join(dir, 'tmp');
  }

  /** Creates the folders, drops leftovers of unfinished transcodes, loads what is cached. */
  init(): void {
    mkdirSync(this.objects, { recursive: true });
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
    const found: Array<[string, Entry]> = [];
    for (const name of readdirSync(this.objects)) {
      if (!NAME.test(name)) continue;
      const st = statSync(join(this.objects, name), { throwIfNoEntry: false });
      // The later of the two: objects cached by an older version recorded their last use in mtime.
      if (st?.isFile()) found.push([name, { size: st.size, usedAt: Math.max(st.atimeMs, st.mtimeMs) }]);
    }
    found.sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [name, entry] of found) this.add(name, entry);
    this.evict();
    try {
      const saved = JSON.parse(readFileSync(join(this.dir, 'sources.json'), 'utf8')) as Record<string, string>;
      for (const [identity, hash] of Object.entries(saved)) if (/^[0-9a-f]{64}$/.test(hash)) this.hashes.set(identity, hash);
    } catch {
      // No hashes saved yet (or an unreadable file): they are computed again on use.
    }
  }

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The finished transcode of this source, when cached and the source's hash is known. */
  lookup(source: SourceIdentity, spec: TranscodeSpec): CachedTranscode | undefined {
    const hash = this.hashes.get(identityOf(source));
    if (!hash) return undefined;
    const name = nameOf(hash, spec);
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const path = join(this.objects, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) {
      this.remove(name);
      return undefined;
    }
    const now = Date.now();
    if (now - entry.usedAt > TOUCH_EVERY_MS) markUsed(path, now, st.mtimeMs);
    this.entries.delete(name);
    this.entries.set(name, { ...entry, usedAt: now });
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  }

  /** A fresh path for a transcode being made (removed at the next start when left behind). */
  tempPath(spec: TranscodeSpec): string {
    return join(this.tmp, `${randomBytes(8).toString('hex')}.${EXTENSIONS[spec.format]}`);
  }

  /** Moves a finished transcode into the cache and evicts beyond the size limit. */
  commit(tempPath: string, sourceHash: string, spec: TranscodeSpec): void {
    const name = nameOf(sourceHash, spec);
    const st = statSync(tempPath);
    const now = Date.now();
    markUsed(tempPath, now, st.mtimeMs);
    renameSync(tempPath, join(this.objects, name));
    this.remove(name);
    this.add(name, { size: st.size, usedAt: now });
    this.evict();
  }

  /** SHA-256 of the source's content, once per identity (remembered across restarts). */
  contentHash(source: SourceIdentity): Promise<string> {
    const identity = identityOf(source);
    const known = this.hashes.get(identity);
    if (known) return Promise.resolve(known);
    let pending = this.hashing.get(identity);
    if (!pending) {
      pending = hashFile(source.path)
        .then((hash) => {
          if (this.hashes.size >= MAX_REMEMBERED_SOURCES) this.hashes.delete(this.hashes.keys().next().value as string);
          this.hashes.set(identity, hash);
          this.scheduleSave();
          return hash;
        })
        .finally(() => this.hashing.delete(identity));
      this.hashing.set(identity, pending);
    }
    return pending;
  }

  /** Writes the remembered hashes now (at shutdown). */
  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const file = join(this.dir, 'sources.json');
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(this.hashes)));
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not save transcode source hashes');
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 1_000);
    this.saveTimer.unref();
  }

  private add(name: string, entry: Entry): void {
    this.entries.set(name, entry);
    this.total += entry.size;
  }

  private remove(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.total -= entry.size;
  }

  /** Least recently used first; a file being sent stays readable (its descriptor is open). */
  private evict(): void {
    for (const name of this.entries.keys()) {
      if (this.total <= this.maxBytes) return;
      this.remove(name);
      try {
        unlinkSync(join(this.objects, name));
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not evict a cached transcode');
      }
    }
  }
}

/**
 * Records a use in atime and keeps the mtime, in whole seconds: a time set through utimes comes
 * back exactly only when whole (a fraction may land on the neighbouring millisecond, another ETag).
 * An object cached by an older version has its mtime rounded down once, at its first use.
 */
function markUsed(path: string, atMs: number, mtimeMs: number): void {
  utimesSync(path, atMs / 1000, Math.floor(mtimeMs / 1000));
}

function identityOf(source: SourceIdentity): string {
  return `${source.path}\u0000${source.size}\u0000${Math.trunc(source.mtimeMs)}`;
}

function nameOf(hash: string, spec: TranscodeSpec): string {
  return `${hash}.${spec.format}.${spec.bitrate}.${EXTENSIONS[spec.format]}`;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 256 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
