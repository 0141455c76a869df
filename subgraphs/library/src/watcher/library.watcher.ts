import { basename, dirname } from 'node:path';
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

/**
 * Watches the roots and rescans only the folders that changed, debounced, so new, changed,
 * moved and deleted files show up within seconds without a manual scan.
 */
export class LibraryWatcher {
  private watcher: FSWatcher | undefined;
  private pending = new Map<string, WalkScope>();
  private timer: NodeJS.Timeout | undefined;
  private firstEventAt = 0;
  private running: Promise<void> = Promise.resolve();

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
      .on('error', (err) => logger.warn({ err: (err as Error).message }, 'watcher error'));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    logger.info({ roots }, 'watching music folders');
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    await this.running;
  }

  private onFile(path: string): void {
    const name = basename(path);
    if (isAudioFile(name) || folderImageRank(name) !== undefined) this.touch({ dir: dirname(path), recursive: false });
  }

  private touch(scope: WalkScope): void {
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
        (summary) => logger.info({ folders: scopes.length, ms: Date.now() - started, summary }, 'rescanned changed folders'),
        (err: unknown) => logger.error({ err }, 'rescan of changed folders failed'),
      );
  }
}
