// The whole-catalogue listings are kept in order as the catalogue changes; each must equal a
// listing sorted from scratch (a fresh Listings) after any mix of changes a scan makes.
import { describe, expect, it } from '@jest/globals';
import { Catalogue } from '../../src/domain/catalogue.js';
import { ALBUM_SORTS, Listings, TRACK_SORTS } from '../../src/domain/listings.js';
import type { Album, Artist, Track } from '../../src/domain/model.js';
import { paginate } from '../../src/domain/pagination.js';
import { sortKeyOf, sortNameOf } from '../../src/domain/text-folding.js';

function rng(seed: number) {
  // mulberry32: a seeded generator whose low bits are as random as its high ones.
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}
const pick = rng(7);
const WORDS = ['The', 'Blue', 'Été', 'night', 'A', 'song', 'zebra', 'Øresund', 'ß', 'Alpha', 'alpha', '10', '2'];
const words = (n: number) => Array.from({ length: n }, () => WORDS[pick(WORDS.length)]).join(' ');

const artist = (id: string, name = words(2)): Artist => ({ id, name, sortName: sortNameOf(name), addedAt: new Date(1_000 + pick(5)) });
const album = (id: string, artistId: string, title = words(2)): Album => ({
  id,
  title,
  sortTitle: sortKeyOf(title),
  artistId,
  addedAt: new Date(2_000 + pick(5)),
});
function track(id: string, albumId: string | null, artistIds: string[]): Track {
  const n = pick(3);
  return {
    id,
    path: `/music/${id}.mp3`,
    size: 1,
    mtimeMs: 1,
    title: words(1 + pick(3)),
    artistIds,
    albumId,
    trackNumber: n === 0 ? null : pick(12),
    discNumber: n === 1 ? null : 1 + pick(2),
    duration: 100 + pick(5),
    genres: [],
    year: pick(4) === 0 ? null : 1990 + pick(4),
    compilation: false,
    identity: `identity-${id}`,
    format: { container: 'MPEG', codec: 'mp3', mimeType: 'audio/mpeg', bitrate: null, sampleRate: null, channels: null, lossless: false },
    coverArtId: null,
    addedAt: 3_000 + pick(10),
    updatedAt: 1,
  };
}

function every(listings: Listings) {
  return {
    tracks: TRACK_SORTS.map((s) => listings.tracks({}, s).ids),
    albums: ALBUM_SORTS.map((s) => listings.albums(s).ids),
    artists: listings.artists().ids,
  };
}

function seeded(): Catalogue {
  const c = new Catalogue();
  for (let a = 0; a < 40; a++) c.putArtist(artist(`ar${a}`));
  for (let b = 0; b < 300; b++) c.putAlbum(album(`al${b}`, `ar${pick(40)}`));
  for (let t = 0; t < 2_000; t++) c.putTrack(track(`t${t}`, pick(10) === 0 ? null : `al${pick(300)}`, [`ar${pick(40)}`, `ar${pick(40)}`]));
  return c;
}

describe('Listings of the whole catalogue', () => {
  it('equal a fresh sort after tracks, albums and artists are added, retagged, renamed and removed', () => {
    const c = seeded();
    const kept = new Listings(c);
    expect(every(kept)).toEqual(every(new Listings(c)));
    let next = 1_000;
    // One or two changes between reads: the incremental path (a rebuild takes over 1/16 of the size).
    for (let round = 0; round < 150; round++) {
      for (let k = 1 + pick(2); k > 0; k--) {
        const trackIds = [...c.tracks.keys()];
        const albumIds = [...c.albums.keys()];
        const artistIds = [...c.artists.keys()];
        switch (pick(8)) {
          case 0: // a new track, sometimes on an album or by an artist not yet in the catalogue
            c.putTrack(
              track(`t${next++}`, pick(4) === 0 ? `al-new${next}` : albumIds[pick(albumIds.length)]!, [
                pick(4) === 0 ? `ar-new${next}` : artistIds[pick(artistIds.length)]!,
              ]),
            );
            break;
          case 1: {
            const old = c.tracks.get(trackIds[pick(trackIds.length)]!)!;
            c.putTrack({ ...track(old.id, albumIds[pick(albumIds.length)]!, [artistIds[pick(artistIds.length)]!]), path: old.path });
            break;
          }
          case 2:
            c.removeTrack(trackIds[pick(trackIds.length)]!);
            break;
          case 3: {
            const old = c.albums.get(albumIds[pick(albumIds.length)]!)!;
            c.putAlbum(album(old.id, pick(2) ? old.artistId : artistIds[pick(artistIds.length)]!));
            break;
          }
          case 4:
            c.putArtist(artist(artistIds[pick(artistIds.length)]!));
            break;
          case 5: // the album or artist a new track named arrives after it
            for (const t of c.tracks.values()) {
              if (t.albumId?.startsWith('al-new') && !c.albums.has(t.albumId)) c.putAlbum(album(t.albumId, artistIds[0]!));
              if (t.artistIds[0]?.startsWith('ar-new') && !c.artists.has(t.artistIds[0])) c.putArtist(artist(t.artistIds[0]));
            }
            break;
          case 6: {
            const id = albumIds[pick(albumIds.length)]!;
            c.removeAlbum(id);
            break;
          }
          case 7: {
            const id = artistIds[pick(artistIds.length)]!;
            if (c.artistIsUnused(id) || pick(3) === 0) c.removeArtist(id);
            break;
          }
        }
      }
      expect(every(kept)).toEqual(every(new Listings(c)));
    }
  });

  it('serves a page after warm() with a binary search, not a sort', () => {
    const c = seeded();
    const listings = new Listings(c);
    listings.warm();
    // Counts the track lookups a page makes (sort keys are computed from the tracks).
    let lookups = 0;
    const get = c.tracks.get.bind(c.tracks);
    c.tracks.get = (id: string) => ((lookups += 1), get(id));
    const first = paginate(listings.tracks({}, 'ARTIST'), 's', { first: 20 });
    paginate(listings.tracks({}, 'ARTIST'), 's', { first: 20, after: first.edges.at(-1)!.cursor });
    paginate(listings.albums('YEAR'), 's', { first: 20 });
    expect(lookups).toBeLessThan(40);
  });

  it('keeps cursors meaning "after this key" across a change, and serves pages without rebuilding', () => {
    const c = seeded();
    const listings = new Listings(c);
    const first = paginate(listings.tracks({}, 'TITLE'), 's', { first: 50 });
    const ids = listings.tracks({}, 'TITLE').ids;
    const cursor = first.edges.at(-1)!.cursor;
    // The last track of the page is removed and a track sorting before the cursor is added.
    c.removeTrack(first.edges.at(-1)!.node);
    c.putTrack({ ...track('early', null, ['ar1']), title: '0 first of all' });
    const next = paginate(listings.tracks({}, 'TITLE'), 's', { first: 50, after: cursor });
    expect(next.edges.map((e) => e.node)).toEqual(ids.slice(50, 100));
    expect(next.totalCount).toBe(2_000);
    // No change since: the same array, not a new sort.
    expect(listings.tracks({}, 'TITLE').ids).toBe(listings.tracks({}, 'TITLE').ids);
  });
});
