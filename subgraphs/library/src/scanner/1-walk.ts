import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Logger } from '@ytm/logger';
import { folderImageRank, isAudioFile } from './audio-files.js';

/** An audio file found on disk. */
export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** A folder to walk; `recursive: false` looks at its files only (the watcher's touched folders). */
export interface WalkScope {
  dir: string;
  recursive: boolean;
}

export interface WalkResult {
  files: FoundFile[];
  /** Best folder image per folder walked (cover > folder > front). */
  folderImages: Map<string, FoundFile>;
  /** Folders listed (with or without a folder image). */
  listed: Set<string>;
  /** The scopes asked for. */
  scopes: WalkScope[];
  /** Folders that exist but could not be listed (and roots that are missing, e.g. unmounted): what was there is kept. */
  failed: string[];
}

const STAT_CONCURRENCY = 64;
const DIR_CONCURRENCY = 8;

export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Whether a walk was in a position to see `path`: covered by a scope and not under a folder it failed to list. */
export function walkCovers(walk: Pick<WalkResult, 'scopes' | 'failed'>, path: string): boolean {
  const covered = walk.scopes.some((s) => (s.recursive ? isInside(path, s.dir) : dirname(path) === s.dir));
  return covered && !walk.failed.some((f) => isInside(path, f));
}

/**
 * Phase 1: list audio files (with size and mtime) and folder images. Hidden entries are
 * skipped; a symlink is followed only when its target lies inside one of the roots, and each
 * real folder is listed once (no cycles).
 */
export async function walk(roots: string[], scopes: WalkScope[], logger: Logger): Promise<WalkResult> {
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => undefined)))).filter((r): r is string => r !== undefined);
  const result: WalkResult = { files: [], folderImages: new Map(), listed: new Set(), scopes, failed: [] };
  const rootSet = new Set(roots);
  const visited = new Set<string>();
  // Folders reached through real (non-symlink) folders carry their real path: no realpath call.
  const queue: (WalkScope & { real?: string })[] = [...scopes];

  const allowed = async (path: string): Promise<string | undefined> => {
    const real = await realpath(path).catch(() => undefined);
    return real && realRoots.some((r) => isInside(real, r)) ? real : undefined;
  };

  const list = async (scope: WalkScope & { real?: string }): Promise<void> => {
    const real = scope.real ?? (await allowed(scope.dir));
    if (!real) {
      if (rootSet.has(scope.dir)) {
        logger.warn({ root: scope.dir }, 'music root is missing; keeping its tracks');
        result.failed.push(scope.dir);
      }
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(scope.dir, { withFileTypes: true });
    } catch (err) {
      // Gone, or not a folder (the watcher asks about any name it cannot tell): nothing is there.
      if (!['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) {
        logger.warn({ dir: scope.dir, err: (err as Error).message }, 'cannot list folder; keeping its tracks');
        result.failed.push(scope.dir);
      }
      return;
    }
    result.listed.add(scope.dir);
    const candidates = entries.filter((e) => !e.name.startsWith('.'));
    for (let i = 0; i < candidates.length; i += STAT_CONCURRENCY) {
      await Promise.all(candidates.slice(i, i + STAT_CONCURRENCY).map((e) => visit(scope, real, e)));
    }
  };

  // Several folders at once: a library is mostly many small folders, each a few syscalls.
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    const pump = (): void => {
      while (active < DIR_CONCURRENCY && queue.length > 0) {
        active += 1;
        list(queue.pop()!).then(() => {
          active -= 1;
          pump();
        }, reject);
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return result;

  async function visit(scope: WalkScope, parentReal: string, entry: Dirent): Promise<void> {
    const path = join(scope.dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      if (!(await allowed(path))) {
        logger.debug({ path }, 'skipping symlink that leaves the library');
        return;
      }
      const target = await stat(path).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) {
      if (scope.recursive) queue.push({ dir: path, recursive: true, ...(entry.isSymbolicLink() ? {} : { real: join(parentReal, entry.name) }) });
      return;
    }
    if (!isFile) return;
    const rank = folderImageRank(entry.name);
    if (!isAudioFile(entry.name) && rank === undefined) return;
    const s = await (entry.isSymbolicLink() ? stat(path) : lstat(path)).catch(() => undefined);
    if (!s) return;
    const found = { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) };
    if (rank === undefined) {
      result.files.push(found);
      return;
    }
    const current = result.folderImages.get(scope.dir);
    const currentRank = current ? folderImageRank(current.path.slice(scope.dir.length + 1)) : undefined;
    if (currentRank === undefined || rank < currentRank) result.folderImages.set(scope.dir, found);
  }
}
