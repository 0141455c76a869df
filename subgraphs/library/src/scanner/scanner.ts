import type { Logger } from '@ytm/logger';
import type { Catalogue } from '../domain/catalogue.js';
import type { Image, ScanStatus, Track } from '../domain/model.js';
import type { LibraryStore, ScanControl } from '../domain/ports.js';
import { ScanProgress } from '../domain/scan-progress.js';
import { walk, walkCovers, type FoundFile, type WalkScope } from './1-walk.js';
import { diff, type KnownBadFile } from './2-diff.js';
import { parseAll } from './3-parse.js';
import { TrackResolver } from './4-resolve.js';
import { TrackCommitter } from './5-commit.js';
import { sweep } from './6-sweep.js';
import { KeyedLock } from './keyed-lock.js';
import type { ParserPool } from './worker-pool.js';
import { Tombstones } from './tombstones.js';

export interface ScannerDeps {
  roots: string[];
  catalogue: Catalogue;
  store: LibraryStore;
  art: { put(bytes: Uint8Array, mimeType: string): Promise<Image> };
  pool: Pick<ParserPool, 'parse' | 'capacity'>;
  logger: Logger;
  /** Called with the live status at most every 500 ms while a full scan runs. */
  onProgress?: (status: ScanStatus) => void;
  logEveryMs?: number;
  now?: () => Date;
  /** Called when a full scan is over (the composition compacts the heap). */
  afterFullScan?: () => void;
}

export interface RunSummary {
  filesSeen: number;
  filesParsed: number;
  added: number;
  updated: number;
  removed: number;
  errors: number;
}

/**
 * Runs the phases (see README.md): walk → diff → parse → resolve → commit → sweep. Runs are
 * queued one at a time: a full scan (startLibraryScan, start-up) covers the roots and reports
 * through scanStatus; the watcher's runs cover only touched folders.
 */
export class Scanner implements ScanControl {
  private readonly progress: ScanProgress;
  private queue: Promise<unknown> = Promise.resolve();
  private running: Promise<ScanStatus> | undefined;
  private last: Date | null = null;
  private readonly knownBad = new Map<string, KnownBadFile>();
  private readonly folderImages = new Map<string, FoundFile>();
  private readonly tombstones = new Tombstones();
  private readonly resolver: TrackResolver;
  private readonly now: () => Date;
  private stopping = false;

  constructor(private readonly deps: ScannerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.progress = new ScanProgress((s) => deps.onProgress?.(s));
    this.resolver = new TrackResolver({ ...deps, lock: new KeyedLock(), tombstones: this.tombstones, now: this.now });
  }

  async init(): Promise<void> {
    const last = await this.deps.store.loadLastScan();
    if (last) {
      this.progress.restore(last);
      this.last = last.finishedAt;
    }
  }

  status(): ScanStatus {
    return this.progress.status;
  }

  lastScanAt(): Date | null {
    return this.last;
  }

  start(full: boolean): ScanStatus {
    if (!this.running) {
      this.progress.begin(this.now());
      this.running = this.scanAll(full).finally(() => (this.running = undefined));
      this.running.catch(() => undefined);
    }
    return this.status();
  }

  /** Stops between files: what was parsed so far is committed, the rest waits for the next scan. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  /** Resolves when the scan started by `start` (if any) is over. */
  async idle(): Promise<ScanStatus> {
    await this.running?.catch(() => undefined);
    return this.status();
  }

  private scanAll(full: boolean): Promise<ScanStatus> {
    return this.enqueue(async () => {
      const log = this.deps.logger.child({ scan: full ? 'full' : 'incremental' });
      log.info({ roots: this.deps.roots }, 'library scan started');
      const ticker = setInterval(() => log.info(this.progress.status, 'library scan progress'), this.deps.logEveryMs ?? 5_000);
      ticker.unref();
      try {
        await this.run(
          this.deps.roots.map((dir) => ({ dir, recursive: true })),
          full,
          (counts) => this.progress.add(counts),
        );
        const status = this.progress.finish(this.now(), false);
        this.last = status.finishedAt;
        await this.deps.store.saveLastScan(status).catch((err: Error) => log.warn({ err: err.message }, 'could not save scan status'));
        log.info(status, 'library scan finished');
        return status;
      } catch (err) {
        log.error({ err }, 'library scan failed');
        return this.progress.finish(this.now(), true);
      } finally {
        clearInterval(ticker);
        this.deps.afterFullScan?.();
      }
    });
  }

  /** Rescans folders the watcher saw change (each on its own, or a whole subtree). */
  scanFolders(scopes: WalkScope[]): Promise<RunSummary> {
    return this.enqueue(() => this.run(scopes, false, () => undefined));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.stopping) return Promise.reject(new Error('scanner is stopping'));
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async run(scopes: WalkScope[], full: boolean, report: (counts: Partial<ScanStatus>) => void): Promise<RunSummary> {
    const { catalogue, store, pool, logger } = this.deps;
    const found = await walk(this.deps.roots, scopes, logger);
    const changes = diff(catalogue, found, { full, knownBad: this.knownBad, folderImages: this.folderImages });
    for (const [dir, img] of this.folderImages) if (walkCovers(found, img.path)) this.folderImages.delete(dir);
    for (const [dir, img] of found.folderImages) this.folderImages.set(dir, img);
    const summary: RunSummary = { filesSeen: found.files.length, filesParsed: 0, added: 0, updated: 0, removed: 0, errors: changes.knownBad };
    report({ filesSeen: summary.filesSeen, errors: summary.errors });

    this.resolver.beginRun(found);
    const committer = new TrackCommitter(
      catalogue,
      store,
      () => this.resolver.takeCreated(),
      (c) => report({ tracksAdded: c.added, tracksUpdated: c.updated }),
    );
    const unreadable: Track[] = [];
    try {
      await parseAll(pool, changes.toParse, async (file, outcome) => {
        if (this.stopping) throw new Error('scanner is stopping');
        summary.filesParsed += 1;
        report({ filesParsed: 1 });
        if (!outcome.ok) {
          summary.errors += 1;
          report({ errors: 1 });
          logger.warn({ path: file.path, reason: outcome.reason }, 'skipping file without readable audio');
          this.knownBad.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, reason: outcome.reason });
          const known = catalogue.trackByPath(file.path);
          if (known) unreadable.push(known);
          return;
        }
        this.knownBad.delete(file.path);
        await committer.add(await this.resolver.resolve(file, outcome));
      });
      await committer.flush();
    } finally {
      this.resolver.endRun();
    }
    if (this.knownBad.size > 0) {
      const foundPaths = new Set(found.files.map((f) => f.path));
      for (const path of this.knownBad.keys()) if (walkCovers(found, path) && !foundPaths.has(path)) this.knownBad.delete(path);
    }

    const swept = await sweep([...changes.missing, ...unreadable], { catalogue, store, tombstones: this.tombstones });
    report({ tracksRemoved: swept.tracks });
    Object.assign(summary, { added: committer.counts.added, updated: committer.counts.updated, removed: swept.tracks });
    return summary;
  }
}
