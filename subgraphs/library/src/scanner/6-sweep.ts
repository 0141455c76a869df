import type { Catalogue } from '../domain/catalogue.js';
import type { Track } from '../domain/model.js';
import type { LibraryStore } from '../domain/ports.js';
import type { Tombstones } from './tombstones.js';

const BATCH = 500;

/**
 * Phase 6: remove tracks whose files are gone (or hold no readable audio any more), then
 * albums and artists nothing refers to. A track whose ID was taken over by a moved file is
 * not removed.
 */
export async function sweep(
  gone: Track[],
  deps: {
    catalogue: Catalogue;
    store: Pick<LibraryStore, 'stageEvents' | 'deleteTracks' | 'releaseEvents' | 'deleteAlbums' | 'deleteArtists'>;
    tombstones: Tombstones;
  },
): Promise<{ tracks: number; albums: number; artists: number }> {
  const { catalogue, store, tombstones } = deps;
  const removable = gone.filter((t) => catalogue.tracks.get(t.id)?.path === t.path);
  for (let i = 0; i < removable.length; i += BATCH) {
    const batch = removable.slice(i, i + BATCH);
    const staged = await store.stageEvents(batch.map((t) => ({ kind: 'removed' as const, trackId: t.id })));
    await store.deleteTracks(batch.map((t) => t.id));
    for (const t of batch) {
      catalogue.removeTrack(t.id);
      tombstones.add(t.identity, t.id, t.addedAt);
    }
    await store.releaseEvents(staged);
  }
  const albums = [...catalogue.albums.keys()].filter((id) => catalogue.albumIsEmpty(id));
  await store.deleteAlbums(albums);
  for (const id of albums) catalogue.removeAlbum(id);
  const artists = [...catalogue.artists.keys()].filter((id) => catalogue.artistIsUnused(id));
  await store.deleteArtists(artists);
  for (const id of artists) catalogue.removeArtist(id);
  return { tracks: removable.length, albums: albums.length, artists: artists.length };
}
