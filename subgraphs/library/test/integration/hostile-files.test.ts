// Bad input on disk: absurd tags, symlinks leaving the library, files that are not what their
// extension says. None of it may crash the scan or leak outside the roots.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { id3v24, templates } from '../../../../bench/library/generate-corpus.mjs';
import { makeAudio } from './corpus.js';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(120_000);

let h: Harness;
let outside: string;
let status: Record<string, any>;

beforeAll(async () => {
  h = await startLibrary();
  outside = await mkdtemp(join(tmpdir(), 'ytm-lib-outside-'));
  const audio = templates().mp3[0] as Buffer;
  const huge = id3v24({
    title: 'T'.repeat(1_000_000),
    artists: Array.from({ length: 10_000 }, (_, i) => `Artist ${i}`),
    album: 'A'.repeat(100_000),
    genres: Array.from({ length: 1_000 }, (_, i) => `Genre ${i}`),
  });
  await mkdir(join(h.musicDir, 'Absurd'), { recursive: true });
  await writeFile(join(h.musicDir, 'Absurd/huge-tags.mp3'), Buffer.concat([huge, audio]));
  // An ID3 header claiming a 256 MB tag on a tiny file.
  await writeFile(
    join(h.musicDir, 'Absurd/lying-header.mp3'),
    Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]), Buffer.alloc(64)]),
  );
  await writeFile(join(h.musicDir, 'Absurd/really-a-png.flac'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  await makeAudio(outside, { path: 'secret/private.mp3', tags: { title: 'Outside Secret', artist: 'Nobody' } });
  await symlink(join(outside, 'secret'), join(h.musicDir, 'escape'));
  await symlink(join(outside, 'secret/private.mp3'), join(h.musicDir, 'escape-file.mp3'));
  await makeAudio(h.musicDir, { path: 'Real/inside.mp3', tags: { title: 'Inside Song', artist: 'Somebody' } });
  await symlink(join(h.musicDir, 'Real'), join(h.musicDir, 'Alias'));
  status = await h.scan();
});

afterAll(async () => {
  await h?.close();
  await rm(outside, { recursive: true, force: true });
});

describe('hostile files', () => {
  it('finishes the scan and counts unreadable files as errors', () => {
    expect(status).toMatchObject({ state: 'IDLE', tracksAdded: 2, errors: 2 });
  });

  it('stores absurd tags truncated to sane limits', async () => {
    const r = await h.gql('{ search(query: "tttt") { tracks { title artists { name } album { title } genres } } }');
    const t = r.data!.search.tracks[0];
    expect(t.title).toHaveLength(500);
    expect(t.artists).toHaveLength(30);
    expect(t.album.title).toHaveLength(500);
    expect(t.genres).toHaveLength(10);
  });

  it('does not follow symlinks that leave the library, and indexes a folder reached twice once', async () => {
    const r = await h.gql('{ outside: search(query: "outside secret") { tracks { id } } inside: search(query: "inside song") { tracks { id } } }');
    expect(r.data!.outside.tracks).toEqual([]);
    expect(r.data!.inside.tracks).toHaveLength(1);
    for (const t of h.lib.catalogue.tracks.values()) expect(t.path.startsWith(h.musicDir)).toBe(true);
  });
});
