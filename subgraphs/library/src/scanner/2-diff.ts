import { basename, dirname } from 'node:path';
import { isDiscFolder } from './audio-files.js';
import type { Catalogue } from '../domain/catalogue.js';
import type { Track } from '../domain/model.js';
import { walkCovers, type FoundFile, type WalkResult } from './1-walk.js';

export interface KnownBadFile {
  size: number;
  mtimeMs: number;
  reason: string;
}

export interface Diff {
  /** New files, and known files whose size or mtime changed (or all of them on a full scan). */
  toParse: FoundFile[];
  /** Files already known to hold no readable audio, unchanged since: counted, not parsed again. */
  knownBad: number;
  /** Tracks under the walked folders whose file was not found. */
  missing: Track[];
}

/** Where a disc folder's tracks take their folder cover from (the album folder above it). */
export function coverFolderOf(path: string): string {
  const dir = dirname(path);
  return isDiscFolder(basename(dir)) ? dirname(dir) : dir;
}

/** Folders whose folder image appeared, changed or vanished: their tracks must be re-resolved. */
function foldersWithNewArt(walk: WalkResult, previous: ReadonlyMap<string, FoundFile>): Set<string> {
  const changed = new Set<string>();
  for (const [dir, img] of walk.folderImages) {
    const old = previous.get(dir);
    if (!old || old.path !== img.path || old.size !== img.size || old.mtimeMs !== img.mtimeMs) changed.add(dir);
  }
  for (const [dir, img] of previous) {
    if (!walk.folderImages.has(dir) && walkCovers(walk, img.path)) changed.add(dir);
  }
  return changed;
}

/**
 * Phase 2: compare the disk with the catalogue. Incremental: a file is parsed again only when
 * its size or mtime changed (or `full`), or when its folder image changed.
 */
export function diff(
  catalogue: Catalogue,
  walk: WalkResult,
  opts: { full: boolean; knownBad: Map<string, KnownBadFile>; folderImages: ReadonlyMap<string, FoundFile> },
): Diff {
  const artChanged = opts.full ? new Set<string>() : foldersWithNewArt(walk, opts.folderImages);
  const found = new Set<string>();
  const toParse: FoundFile[] = [];
  let knownBad = 0;
  for (const file of walk.files) {
    found.add(file.path);
    const known = catalogue.trackByPath(file.path);
    const unchanged = known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs;
    if (!opts.full && unchanged && !artChanged.has(dirname(file.path)) && !artChanged.has(coverFolderOf(file.path))) continue;
    const bad = opts.knownBad.get(file.path);
    if (!opts.full && !known && bad && bad.size === file.size && bad.mtimeMs === file.mtimeMs) {
      knownBad += 1;
      continue;
    }
    toParse.push(file);
  }
  const missing: Track[] = [];
  for (const path of catalogue.paths()) {
    if (found.has(path)) continue;
    if (!walkCovers(walk, path)) continue;
    const track = catalogue.trackByPath(path);
    if (track) missing.push(track);
  }
  return { toParse, knownBad, missing };
}
