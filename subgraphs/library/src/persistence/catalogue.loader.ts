import type { Logger } from '@ytm/logger';
import { Catalogue } from '../domain/catalogue.js';
import type { LibraryStore } from '../domain/ports.js';

/** Builds the read model from the database at start-up. */
export async function loadCatalogue(
  store: Pick<LibraryStore, 'loadAll'>,
  logger: Logger,
  options: { every?: number; collect?: () => void } = {},
): Promise<Catalogue> {
  const { every = 20_000, collect } = options;
  const started = Date.now();
  const catalogue = new Catalogue();
  await store.loadAll({
    artist: (a) => catalogue.putArtist(a),
    album: (a) => catalogue.putAlbum(a),
    image: (i) => catalogue.putImage(i),
    track: (t) => {
      catalogue.putTrack(t);
      // Collecting as we go keeps the heap near its live size instead of growing to twice it.
      if (collect && catalogue.tracks.size % every === 0) collect();
    },
  });
  logger.info({ tracks: catalogue.tracks.size, albums: catalogue.albums.size, artists: catalogue.artists.size, ms: Date.now() - started }, 'catalogue loaded');
  return catalogue;
}
