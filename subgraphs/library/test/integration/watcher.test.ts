// The watcher: new, changed, moved and deleted files (and folders) show up without a manual scan.
import { mkdir, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { FSWatcher } from 'chokidar';
import { createLogger } from '@ytm/logger';
import { waitFor } from '@ytm/testing';
import { walk } from '../../src/scanner/1-walk.js';
import { makeAudio } from './corpus.js';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(120_000);

// The bound; the watcher usually needs well under a second.
const WITHIN_MS = 5_000;

let h: Harness;
let staging: string;
const unique = `w${Date.now().toString(36)}`;

/**
 * chokidar reads a new folder and then starts watching it; a file or folder that lands in between
 * is never known to it (a timing race, seen in CI). `unwatch` puts a path in that same state on
 * purpose: the watcher must not depend on chokidar knowing it.
 */
function forget(path: string): void {
  (h.lib.watcher as unknown as { watcher: FSWatcher }).watcher.unwatch(path);
}

async function trackByTitle(title: string): Promise<{ id: string; album: { title: string } | null } | undefined> {
  const r = await h.gql('query($q: String!) { search(query: $q, limit: 50) { tracks { id title album { title } } } }', { q: title });
  return r.data!.search.tracks.find((t: any) => t.title === title);
}

beforeAll(async () => {
  staging = await mkdtemp(join(tmpdir(), 'ytm-lib-staging-'));
  h = await startLibrary({ watchDebounceMs: 150 });
  await makeAudio(h.musicDir, { path: 'Existing/old.mp3', tags: { title: `Old ${unique}`, artist: 'Watcher', album: `Watched ${unique}` } });
  await h.scan();
  await h.lib.watcher.start();
});

afterAll(async () => {
  await h?.close();
  await rm(staging, { recursive: true, force: true });
});

describe('watcher', () => {
  it('picks up a file copied into the library', async () => {
    await makeAudio(staging, { path: 'new.flac', tags: { title: `Fresh ${unique}`, artist: 'Watcher', album: `Watched ${unique}` } });
    const started = Date.now();
    await rename(join(staging, 'new.flac'), join(h.musicDir, 'Existing/new.flac'));
    const found = await waitFor(() => trackByTitle(`Fresh ${unique}`), WITHIN_MS, 50, 'new file');
    expect(found.album?.title).toBe(`Watched ${unique}`);
    expect(Date.now() - started).toBeLessThan(WITHIN_MS);
  });

  it('picks up a file written in place, then its retagging', async () => {
    await makeAudio(h.musicDir, { path: 'Written/here.ogg', tags: { title: `Written ${unique}`, artist: 'Watcher' } });
    const first = await waitFor(() => trackByTitle(`Written ${unique}`), WITHIN_MS, 50, 'written file');
    await makeAudio(h.musicDir, { path: 'Written/here.ogg', tags: { title: `Rewritten ${unique}`, artist: 'Watcher' } });
    const again = await waitFor(() => trackByTitle(`Rewritten ${unique}`), WITHIN_MS, 50, 'retagged file');
    expect(again.id).toBe(first.id);
  });

  it('keeps the ID of a file moved to another folder', async () => {
    const before = await trackByTitle(`Old ${unique}`);
    await mkdir(join(h.musicDir, 'Elsewhere'), { recursive: true });
    await rename(join(h.musicDir, 'Existing/old.mp3'), join(h.musicDir, 'Elsewhere/renamed.mp3'));
    await waitFor(() => h.lib.catalogue.tracks.get(before!.id)?.path === join(h.musicDir, 'Elsewhere/renamed.mp3'), WITHIN_MS, 50, 'moved file');
    expect((await trackByTitle(`Old ${unique}`))?.id).toBe(before!.id);
  });

  it('removes a deleted file', async () => {
    const t = await trackByTitle(`Fresh ${unique}`);
    await rm(join(h.musicDir, 'Existing/new.flac'));
    await waitFor(async () => (await trackByTitle(`Fresh ${unique}`)) === undefined, WITHIN_MS, 50, 'deleted file');
    expect(h.lib.catalogue.tracks.has(t!.id)).toBe(false);
  });

  it('follows whole folders moved in, moved around and deleted', async () => {
    await makeAudio(staging, { path: 'Album/01.mp3', tags: { title: `Folder One ${unique}`, artist: 'Watcher', album: `Folder ${unique}`, track: '1' } });
    await makeAudio(staging, { path: 'Album/02.mp3', tags: { title: `Folder Two ${unique}`, artist: 'Watcher', album: `Folder ${unique}`, track: '2' } });
    await rename(join(staging, 'Album'), join(h.musicDir, 'Album'));
    const one = await waitFor(() => trackByTitle(`Folder One ${unique}`), WITHIN_MS, 50, 'folder moved in');
    await waitFor(() => trackByTitle(`Folder Two ${unique}`), WITHIN_MS, 50, 'second file of the folder');

    await mkdir(join(h.musicDir, 'Archive'), { recursive: true });
    await rename(join(h.musicDir, 'Album'), join(h.musicDir, 'Archive/Album'));
    await waitFor(() => h.lib.catalogue.tracks.get(one.id)?.path === join(h.musicDir, 'Archive/Album/01.mp3'), WITHIN_MS, 50, 'folder moved');

    await rm(join(h.musicDir, 'Archive'), { recursive: true });
    await waitFor(
      async () => (await trackByTitle(`Folder Two ${unique}`)) === undefined && !h.lib.catalogue.tracks.has(one.id),
      WITHIN_MS,
      50,
      'folder deleted',
    );
    const stats = await h.gql('{ libraryStats { trackCount } }');
    expect(stats.data!.libraryStats.trackCount).toBe(2);
  });

  it('removes a deleted file chokidar never knew of', async () => {
    await makeAudio(h.musicDir, { path: 'Blind/spot.mp3', tags: { title: `Blind ${unique}`, artist: 'Watcher' } });
    const t = await waitFor(() => trackByTitle(`Blind ${unique}`), WITHIN_MS, 50, 'file in place');
    forget(join(h.musicDir, 'Blind/spot.mp3'));
    await rm(join(h.musicDir, 'Blind/spot.mp3'));
    await waitFor(() => !h.lib.catalogue.tracks.has(t.id), WITHIN_MS, 50, 'deleted unknown file');
  });

  it('watches again a folder chokidar never watched, once a rescan reaches it', async () => {
    await makeAudio(h.musicDir, { path: 'Shelf/Box/one.mp3', tags: { title: `Box One ${unique}`, artist: 'Watcher' } });
    await waitFor(() => trackByTitle(`Box One ${unique}`), WITHIN_MS, 50, 'first file');
    forget(join(h.musicDir, 'Shelf/Box'));
    // Unwatched, a file written into it goes unnoticed until something reaches the folder: here
    // the event its parent's watch reports when the folder's times change.
    await makeAudio(h.musicDir, { path: 'Shelf/Box/two.mp3', tags: { title: `Box Two ${unique}`, artist: 'Watcher' } });
    const now = new Date();
    await utimes(join(h.musicDir, 'Shelf/Box'), now, now);
    await waitFor(() => trackByTitle(`Box Two ${unique}`), WITHIN_MS, 50, 'file found by the rescan');
    // Watched again: the next file is seen on its own.
    await makeAudio(h.musicDir, { path: 'Shelf/Box/three.mp3', tags: { title: `Box Three ${unique}`, artist: 'Watcher' } });
    await waitFor(() => trackByTitle(`Box Three ${unique}`), WITHIN_MS, 50, 'file in the folder watched again');
    await rm(join(h.musicDir, 'Shelf'), { recursive: true });
    await waitFor(async () => (await trackByTitle(`Box Three ${unique}`)) === undefined, WITHIN_MS, 50, 'folder deleted');
  });

  it('a name the watcher cannot tell is a folder, and is a file or gone, is walked as empty: nothing kept back, no warning', async () => {
    const file = join(h.musicDir, 'notes.txt');
    await writeFile(file, 'liner notes');
    const warnings: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: 'walk-test', level: 'warn', destination: out });
    for (const dir of [file, join(h.musicDir, 'no such folder')]) {
      const result = await walk([h.musicDir], [{ dir, recursive: true }], logger);
      expect({ files: result.files, failed: result.failed }).toEqual({ files: [], failed: [] });
    }
    expect(warnings).toEqual([]);
    await rm(file);
  });
});
