// Two library replicas on one database and one music folder (compose.scale.yml): each keeps its own
// read model by scanning the folder itself, so the second to store a file finds the track already
// there (same deterministic ID) and must take it, not fail its scan (real FerretDB and Kafka).
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { uniqueName } from '@ytm/testing';
import { makeAudio } from './corpus.js';
import { makeMusicDir, startLibrary, type Harness } from './harness.js';

jest.setTimeout(180_000);

let a: Harness;
let b: Harness;
let musicDir: string;
const unique = `rep${Date.now().toString(36)}`;

const idsByTitle = async (h: Harness): Promise<Record<string, string>> => {
  const r = await h.gql('{ tracks(first: 100) { edges { node { id title } } } }');
  expect(r.errors).toBeUndefined();
  return Object.fromEntries(r.data!.tracks.edges.map((e: any) => [e.node.title, e.node.id]));
};

beforeAll(async () => {
  musicDir = await makeMusicDir();
  await Promise.all([
    makeAudio(musicDir, { path: `A/one.mp3`, tags: { title: 'One', artist: 'Replicated', album: `Album ${unique}`, track: '1' } }),
    makeAudio(musicDir, { path: `A/two.flac`, tags: { title: 'Two', artist: 'Replicated', album: `Album ${unique}`, track: '2' } }),
  ]);
  const dbName = uniqueName('librep');
  a = await startLibrary({ musicDir, dbName });
  b = await startLibrary({ musicDir, dbName });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await rm(musicDir, { recursive: true, force: true });
});

describe('two library replicas scanning one folder', () => {
  it('the second replica to scan takes the tracks the first stored: both list the same IDs', async () => {
    expect(await a.scan()).toMatchObject({ tracksAdded: 2, errors: 0 });
    expect(await b.scan()).toMatchObject({ state: 'IDLE', filesParsed: 2, errors: 0 });
    const ids = await idsByTitle(a);
    expect(Object.keys(ids).sort()).toEqual(['One', 'Two']);
    expect(await idsByTitle(b)).toEqual(ids);
  });

  it('a file added later reaches both replicas, in whichever order they scan it', async () => {
    await makeAudio(musicDir, { path: `A/three.ogg`, tags: { title: 'Three', artist: 'Replicated', album: `Album ${unique}`, track: '3' } });
    await Promise.all([b.scan(), a.scan()]);
    const ids = await idsByTitle(a);
    expect(Object.keys(ids).sort()).toEqual(['One', 'Three', 'Two']);
    expect(await idsByTitle(b)).toEqual(ids);
  });
});
