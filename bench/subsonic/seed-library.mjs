// Seeds ytm-library's database with N tracks in seconds instead of scanning N audio files: the
// catalogue the file corpus would give (bench/library/generate-corpus.mjs `tagsFor`), written
// through library's own persistence (MongoLibraryRepository over its models, what the scanner
// writes through), IDs and sort keys from its domain functions. Every track's file is a hard link
// to one of a few real MP3s, so `stream` serves real bytes. Start library afterwards with
// SCAN_ON_START=false and WATCH=false: it loads the catalogue from the database.
//
//   seedLibrary({ mongodbUrl, dbName, musicDir, count, from = 0, now = Date.now() })
//
// `from`: tracks [from, count) only, onto a database that holds [0, from) already (seeded with the
// same musicDir and `now`): the catalogue grows as if the same folder had grown. Returns the counts
// and `catalogue` ({ trackIds, titles, albumIds, albumArtistIds, artistIds } of the whole [0, count)).
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { generate, tagsFor } from '../library/generate-corpus.mjs';
import { ROOT } from '../library/lib.mjs';

const lib = (path) => import(join(ROOT, 'subgraphs/library/dist', path));
const { MongoLibraryRepository } = await lib('persistence/library.repository.js');
const { libraryModels } = await lib('persistence/models.js');
const { albumIdOf, artistIdOf, trackIdentityOf, trackIdOf } = await lib('domain/identity.js');
const { sortKeyOf, sortNameOf } = await lib('domain/text-folding.js');

const MP3 = { container: 'MPEG', codec: 'MPEG 1 Layer 3', mimeType: 'audio/mpeg', bitrate: 128_000, sampleRate: 44_100, channels: 2, lossless: false };
const BATCH = 5_000;

export async function seedLibrary({ mongodbUrl, dbName, musicDir, count, from = 0, now = Date.now() }) {
  const templatesDir = mkdtempSync(join(tmpdir(), 'ytm-seed-templates-'));
  const templates = generate(templatesDir, 4, { flacRatio: 0 }).map((path) => ({ path, ...statSync(path) }));
  const conn = await mongoose.createConnection(mongodbUrl, { dbName, retryWrites: false }).asPromise();
  try {
    const models = libraryModels(conn);
    await Promise.all(Object.values(models).map((m) => m.init()));
    const repo = new MongoLibraryRepository(models);
    const artists = new Map();
    const albums = new Map();
    // Artists and albums first met before `from` are in the database already.
    const old = new Set();
    const catalogue = { trackIds: [], titles: [], albumIds: [], albumArtistIds: [], artistIds: [] };
    const artist = (name, i) => {
      const id = artistIdOf(name);
      if (!artists.has(id)) {
        artists.set(id, { id, name, sortName: sortNameOf(name), addedAt: new Date(now) });
        catalogue.artistIds.push(id);
        if (i < from) old.add(id);
      }
      return id;
    };
    let tracks = [];
    for (let i = 0; i < count; i++) {
      const tags = tagsFor(i);
      const albumArtistId = artist(tags.albumArtist, i);
      const albumId = albumIdOf(tags.albumArtist, tags.album);
      // Albums added oldest first, a second apart in groups: `newest` and the sync order mean something.
      if (!albums.has(albumId)) {
        albums.set(albumId, {
          id: albumId,
          title: tags.album,
          sortTitle: sortKeyOf(tags.album),
          artistId: albumArtistId,
          addedAt: new Date(now - (count - i) * 1000),
        });
        catalogue.albumIds.push(albumId);
        catalogue.albumArtistIds.push(albumArtistId);
        if (i < from) old.add(albumId);
      }
      const artistIds = tags.artists.map((a) => artist(a, i));
      const duration = 180 + (i % 120);
      const identity = trackIdentityOf({ musicBrainzRecordingId: null, albumId, discNumber: tags.disc, trackNumber: tags.track, title: tags.title, duration });
      const dir = join(musicDir, String(Math.floor(i / 1000)));
      const path = join(dir, `${i}.mp3`);
      catalogue.trackIds.push(trackIdOf(identity, path));
      catalogue.titles.push(tags.title);
      if (i < from) continue;
      const template = templates[i % templates.length];
      if (i % 1000 === 0 || i === from) mkdirSync(dir, { recursive: true });
      linkSync(template.path, path);
      const addedAt = now - (count - i) * 1000;
      tracks.push({
        id: catalogue.trackIds[i],
        path,
        size: template.size,
        mtimeMs: template.mtimeMs,
        title: tags.title,
        artistIds,
        albumId,
        trackNumber: tags.track,
        discNumber: tags.disc,
        duration,
        genres: tags.genres,
        year: tags.year,
        compilation: tags.compilation,
        identity,
        format: MP3,
        coverArtId: null,
        addedAt,
        updatedAt: addedAt,
      });
      if (tracks.length === BATCH) {
        await repo.saveTracks(tracks, []);
        tracks = [];
      }
    }
    if (tracks.length > 0) await repo.saveTracks(tracks, []);
    await repo.insertArtists([...artists.values()].filter((a) => !old.has(a.id)));
    await repo.insertAlbums([...albums.values()].filter((a) => !old.has(a.id)));
    return { tracks: count, albums: albums.size, artists: artists.size, catalogue };
  } finally {
    await conn.close();
    rmSync(templatesDir, { recursive: true, force: true });
  }
}
