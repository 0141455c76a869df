// Incremental rescans, stable IDs across rescans, restarts, moves and database rebuilds,
// retagging and deletions, with the events they publish (real FerretDB and Kafka).
import { rename, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { makeAudio } from './corpus.js';
import { EventCollector } from './event-collector.js';
import { makeMusicDir, startLibrary, type Harness } from './harness.js';

jest.setTimeout(180_000);

let h: Harness;
let musicDir: string;
const events = new EventCollector();
const unique = `run${Date.now().toString(36)}`;

async function idsByTitle(harness: Harness): Promise<Record<string, string>> {
  const r = await harness.gql('{ tracks(first: 100) { edges { node { id title } } } }');
  return Object.fromEntries(r.data!.tracks.edges.map((e: any) => [e.node.title, e.node.id]));
}

beforeAll(async () => {
  musicDir = await makeMusicDir();
  await Promise.all([
    makeAudio(musicDir, { path: `A/one.mp3`, tags: { title: 'One', artist: 'Rescanner', album: `Album ${unique}`, track: '1' } }),
    makeAudio(musicDir, { path: `A/two.flac`, tags: { title: 'Two', artist: 'Rescanner', album: `Album ${unique}`, track: '2' } }),
    makeAudio(musicDir, { path: `B/three.ogg`, tags: { title: 'Three', artist: 'Other', album: `Second ${unique}`, track: '1' } }),
  ]);
  await events.start();
  h = await startLibrary({ musicDir });
});

afterAll(async () => {
  await events.stop();
  await h?.close();
  await rm(musicDir, { recursive: true, force: true });
});

describe('rescans', () => {
  let initial: Record<string, string>;

  it('publishes library.track.added with __typename, id and fields', async () => {
    expect(await h.scan()).toMatchObject({ tracksAdded: 3, errors: 0 });
    initial = await idsByTitle(h);
    const added = await events.waitFor(initial.One!, 'library.track.added');
    expect(added.data).toMatchObject({ __typename: 'Track', id: initial.One, changed: { title: 'One', trackNumber: 1 } });
    expect(added.source).toBe('ytm-library');
  });

  it('parses nothing again when nothing changed, even after a restart', async () => {
    expect(await h.scan()).toMatchObject({ filesSeen: 3, filesParsed: 0, tracksAdded: 0, tracksUpdated: 0, tracksRemoved: 0 });
    h = await h.restart();
    expect(await h.scan()).toMatchObject({ filesSeen: 3, filesParsed: 0, tracksAdded: 0 });
    expect(await idsByTitle(h)).toEqual(initial);
    const full = await h.scan(true);
    expect(full).toMatchObject({ filesParsed: 3, tracksAdded: 0, tracksUpdated: 0 });
    expect(await idsByTitle(h)).toEqual(initial);
  });

  it('keeps the ID of a moved and renamed file', async () => {
    await mkdir(join(musicDir, 'Moved/Deeper'), { recursive: true });
    await rename(join(musicDir, 'A/two.flac'), join(musicDir, 'Moved/Deeper/renamed.flac'));
    expect(await h.scan()).toMatchObject({ tracksAdded: 0, tracksRemoved: 0, tracksUpdated: 1 });
    expect(await idsByTitle(h)).toEqual(initial);
    expect(h.lib.catalogue.tracks.get(initial.Two!)?.path).toBe(join(musicDir, 'Moved/Deeper/renamed.flac'));
  });

  it('updates a retagged file in place and publishes the changed fields only', async () => {
    await makeAudio(musicDir, { path: 'B/three.ogg', tags: { title: 'Three (Remastered)', artist: 'Other', album: `Second ${unique}`, track: '1' } });
    expect(await h.scan()).toMatchObject({ filesParsed: 1, tracksUpdated: 1, tracksAdded: 0 });
    const ids = await idsByTitle(h);
    expect(ids['Three (Remastered)']).toBe(initial.Three);
    const updated = await events.waitFor(initial.Three!, 'library.track.updated', (e) => 'title' in ((e.data as any).changed ?? {}));
    expect(Object.keys((updated.data as any).changed).sort()).toEqual(expect.arrayContaining(['title']));
    expect((updated.data as any).changed).not.toHaveProperty('albumId');
  });

  it('removes deleted files, their empty album and unused artist, and publishes library.track.removed', async () => {
    await rm(join(musicDir, 'B/three.ogg'));
    expect(await h.scan()).toMatchObject({ tracksRemoved: 1 });
    const r = await h.gql('query($id: ID!) { track(id: $id) { id } libraryStats { trackCount albumCount artistCount } }', { id: initial.Three });
    expect(r.data!.track).toBeNull();
    expect(r.data!.libraryStats).toEqual({ trackCount: 2, albumCount: 1, artistCount: 1 });
    const removed = await events.waitFor(initial.Three!, 'library.track.removed');
    expect(removed.data).toEqual({ __typename: 'Track', id: initial.Three });
  });

  it('gives the same IDs when the database is rebuilt from the same files', async () => {
    const fresh = await startLibrary({ musicDir });
    try {
      await fresh.scan();
      const rebuilt = await idsByTitle(fresh);
      expect(rebuilt.One).toBe(initial.One);
      expect(rebuilt.Two).toBe(initial.Two);
    } finally {
      await fresh.close();
    }
  });

  it('announces scan progress on Kafka, the last one IDLE', async () => {
    h.lib.scanner.start(true);
    const done = await h.lib.scanner.idle();
    const progress = await events.waitFor(
      'library-scan',
      'library.scan.progress',
      (e) => (e.data as any).startedAt === done.startedAt!.toISOString() && (e.data as any).state === 'IDLE',
    );
    expect(progress.data).toMatchObject({ filesSeen: 2, filesParsed: 2 });
  });
});
