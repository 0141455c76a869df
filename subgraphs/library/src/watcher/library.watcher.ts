import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '@ytm/logger';
import { isInside, type WalkScope } from '../scanner/1-walk.js';
import { folderImageRank, isAudioFile } from '../scanner/audio-files.js';

export interface WatcherOptions {
  roots: string[];
  /** Rescans the touched folders (Scanner.scanFolders). */
  rescan: (scopes: WalkScope[]) => Promise<unknown>;
  logger: Logger;
  /** Quiet time after the last event before rescanning. */
  debounceMs?: number;
  /** Longest a burst of events may postpone the rescan. */
  maxWaitMs?: number;
}

/** Folders to rescan: a recursive scope swallows everything under it. */
export function mergeScopes(scopes: Iterable<WalkScope>): WalkScope[] {
  const list = [...new Map([...scopes].map((s) => [`${s.recursive ? 'r' : 'f'}:${s.dir}`, s])).values()];
  const recursive = list.filter((s) => s.recursive);
  return list.filter((s) => !recursive.some((r) => r !== s && isInside(s.dir, r.dir) && (s.dir !== r.dir || !s.recursive)));
}

/** Real (not symlinked), not hidden folders under `dir`, `dir` included; none when it is gone. */
export async function foldersUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const queue = [dir];
  while (queue.length > 0) {
    const next = queue.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(next, { withFileTypes: true });
    } catch {
      continue;
    }
    found.push(next);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) queue.push(join(next, e.name));
  }
  return found;
}

/**
 * Watches the roots and rescans only the folders that changed, debounced, so new, changed,
 * moved and deleted files show up within seconds without a manual scan.
 *
 * chokidar reads a new folder, then starts watching it: what lands in between (a file renamed
 * into a folder just made, a folder made inside one just made — `cp -r` does both) is never
 * reported, and neither is its later removal. Two things close that gap: a file event the
 * operating system reports in a watched folder rescans that folder whether or not chokidar knows
 * the file (its `raw` events), and after a rescan of whole folders every folder under them that
 * chokidar does not watch is watched and rescanned.
 */
export class LibraryWatcher {
  private watcher: FSWatcher | undefined;
  private pending = new Map<string, WalkScope>();
  private timer: NodeJS.Timeout | undefined;
  private firstEventAt = 0;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Folders handed to chokidar by `watchMissed` (each once: no loop if it cannot watch one). */
  private readonly readded = new Set<string>();

  constructor(private readonly options: WatcherOptions) {}

  async start(): Promise<void> {
    const { roots, logger } = this.options;
    this.watcher = watch(roots, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (path: string) => basename(path).startsWith('.') && !roots.includes(path),
    });
    this.watcher
      .on('add', (p) => this.onFile(p))
      .on('change', (p) => this.onFile(p))
      .on('unlink', (p) => this.onFile(p))
      .on('addDir', (p) => this.touch({ dir: p, recursive: true }))
      .on('unlinkDir', (p) => this.touch({ dir: p, recursive: true }))
      .on('raw', (_event, name, details) => this.onRaw(name, (details as { watchedPath?: string }).watchedPath))
      .on('error', (err) => logger.warn({ err: (err as Error).message }, 'watcher error'));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    logger.info({ roots }, 'watching music folders');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.watcher?.close();
    await this.running;
  }

  private onFile(path: string): void {
    const name = basename(path);
    if (isAudioFile(name) || folderImageRank(name) !== undefined) this.touch({ dir: dirname(path), recursive: false });
  }

  /**
   * What the operating system reported for `name` in the watched `watchedPath`. A file's own
   * watcher reports its name too: that is skipped, its folder's watcher reports the same change.
   */
  private onRaw(name: string | null | undefined, watchedPath: string | undefined): void {
    if (!name || !watchedPath || name === basename(watchedPath) || name.startsWith('.')) return;
    if (isAudioFile(name) || folderImageRank(name) !== undefined) this.touch({ dir: watchedPath, recursive: false });
    // Anything else may be a folder chokidar never saw (made or removed in its blind moment).
    else this.touch({ dir: join(watchedPath, name), recursive: true });
  }

  /** Folders under rescanned `scopes` that chokidar does not watch: watched now, and rescanned. */
  private async watchMissed(scopes: WalkScope[]): Promise<void> {
    const folders = (await Promise.all(scopes.filter((s) => s.recursive).map((s) => foldersUnder(s.dir)))).flat();
    const watcher = this.watcher;
    if (folders.length === 0 || !watcher || this.stopped) return;
    // chokidar lists what it watches by absolute folder path: a watched folder is among its parent's entries.
    const watched = watcher.getWatched();
    const missed: string[] = [];
    for (const folder of folders.map((f) => resolve(f))) {
      if (watched[dirname(folder)]?.includes(basename(folder))) this.readded.delete(folder);
      else if (!this.readded.has(folder)) missed.push(folder);
    }
    if (missed.length === 0) return;
    for (const dir of missed) this.readded.add(dir);
    this.options.logger.info({ folders: missed.length }, 'watching folders the watcher missed');
    watcher.add(missed);
    for (const dir of missed) this.touch({ dir, recursive: true });
  }

  private touch(scope: WalkScope): void {
    if (this.stopped) return;
    const { debounceMs = 300, maxWaitMs = 1_000 } = this.options;
    if (this.pending.size === 0) this.firstEventAt = Date.now();
    this.pending.set(`${scope.recursive ? 'r' : 'f'}:${scope.dir}`, scope);
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(debounceMs, this.firstEventAt + maxWaitMs - Date.now()));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    const scopes = mergeScopes(this.pending.values());
    this.pending = new Map();
    if (scopes.length === 0) return;
    const { rescan, logger } = this.options;
    const started = Date.now();
    this.running = this.running
      .then(() => rescan(scopes))
      .then(
        (summary) => {
          logger.info({ folders: scopes.length, ms: Date.now() - started, summary }, 'rescanned changed folders');
          return this.watchMissed(scopes);
        },
        (err: unknown) => logger.error({ err }, 'rescan of changed folders failed'),
      )
      .catch((err: unknown) => logger.error({ err }, 'watching missed folders failed'));
  }
}
