import { lazy, Suspense, type ReactNode } from 'react';

// The first screen (albums) is part of the initial script; every other page is a chunk of its own,
// fetched in the background once the first screen is up (preloadPages), so opening one is instant.
const loaders = {
  album: () => import('../features/library/AlbumPage'),
  artists: () => import('../features/library/ArtistsPage'),
  artist: () => import('../features/library/ArtistPage'),
  tracks: () => import('../features/library/TracksPage'),
  search: () => import('../features/search/SearchPage'),
  queue: () => import('../features/player/QueuePage'),
};

export const AlbumPage = lazy(() => loaders.album().then((m) => ({ default: m.AlbumPage })));
export const ArtistsPage = lazy(() => loaders.artists().then((m) => ({ default: m.ArtistsPage })));
export const ArtistPage = lazy(() => loaders.artist().then((m) => ({ default: m.ArtistPage })));
export const TracksPage = lazy(() => loaders.tracks().then((m) => ({ default: m.TracksPage })));
export const SearchPage = lazy(() => loaders.search().then((m) => ({ default: m.SearchPage })));
export const QueuePage = lazy(() => loaders.queue().then((m) => ({ default: m.QueuePage })));

/** While a page's chunk loads (only when opened before preloadPages got to it). */
export function PageSuspense({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="skeleton" style={{ height: 232 }} aria-busy="true" aria-label="Loading" />}>{children}</Suspense>;
}

/** Fetches every page's chunk when the browser is idle after the first screen. */
export function preloadPages(): void {
  const run = () => Object.values(loaders).forEach((load) => void load().catch(() => undefined));
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 2_000 });
  else setTimeout(run, 500);
}
