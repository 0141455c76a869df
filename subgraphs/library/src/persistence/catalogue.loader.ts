import type { Logger } from '@ytm/logger';
import { Catalogue } from '../domain/catalogue.js';
import type { LibraryStore } from '../domain/ports.js';

/** Builds the read model from the database at start-up (artists and albums before the tracks that name them). */
export async function loadCatalogue(store: Pick<LibraryStore, 'loadAll'>, logger: Logger): Promise<Catalogue> {
  const started = Date.now();
  const { tracks, albums, artists, images } = await store.loadAll();
  const catalogue = new Catalogue();
  for (const a of artists) catalogue.putArtist(a);
  for (const a of albums) catalogue.putAlbum(a);
  for (const i of images) catalogue.putImage(i);
  for (const t of tracks) catalogue.putTrack(t);
  logger.info({ tracks: tracks.length, albums: albums.length, artists: artists.length, ms: Date.now() - started }, 'catalogue loaded');
  return catalogue;
}
