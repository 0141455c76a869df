import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseFile } from 'music-metadata';
import { fromTags, parseLrc, type Lyrics } from '../domain/lyrics.js';

/** Sidecar files larger than this are not lyrics. */
const MAX_LRC_BYTES = 512 * 1024;

/**
 * A track's lyrics, read when asked (most tracks are never asked, so the catalogue keeps none):
 * a sidecar `.lrc` next to the file first, else the file's own tags (USLT/SYLT, LYRICS). A few
 * hundred recent answers are kept per file version.
 */
export class LyricsReader {
  private readonly cache = new Map<string, Lyrics | null>();

  constructor(private readonly maxCached = 500) {}

  async read(track: { path: string; mtimeMs: number; size: number }): Promise<Lyrics | null> {
    const key = `${track.path}\0${track.mtimeMs}\0${track.size}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const lyrics = (await this.sidecar(track.path)) ?? (await this.tags(track.path));
    this.cache.set(key, lyrics);
    if (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    return lyrics;
  }

  private async sidecar(path: string): Promise<Lyrics | null> {
    const lrc = path.slice(0, path.length - extname(path).length) + '.lrc';
    try {
      const buf = await readFile(lrc);
      return buf.length <= MAX_LRC_BYTES ? parseLrc(buf.toString('utf8')) : null;
    } catch {
      return null;
    }
  }

  private async tags(path: string): Promise<Lyrics | null> {
    try {
      const meta = await parseFile(path, { skipCovers: true, duration: false });
      return fromTags(meta.common.lyrics ?? []);
    } catch {
      return null;
    }
  }
}
