import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import { addToPlaylist, useMyPlaylists } from '../features/playlists/add-to-playlist';
import { droppedTracks, TRACKS_TYPE } from '../features/playlists/selection';
import { HeartIcon, PlaylistIcon } from '../ui/more-icons';
import '../styles/collection.css';
import { Link, match } from './router';
import { ROUTES } from './routes';

// The listener's own pages and the admin's, loaded when first opened (not part of the initial script).
const LikedPage = lazy(() => import('../features/likes/LikedPage').then((m) => ({ default: m.LikedPage })));
const PlaylistsPage = lazy(() => import('../features/playlists/PlaylistsPage').then((m) => ({ default: m.PlaylistsPage })));
const PlaylistPage = lazy(() => import('../features/playlists/PlaylistPage').then((m) => ({ default: m.PlaylistPage })));

const wrap = (page: ReactNode) => (
  <Suspense fallback={<div className="skeleton" style={{ height: 232 }} aria-busy="true" aria-label="Loading" />}>{page}</Suspense>
);

/** The collection routes (each also in ROUTES, routes.ts, which the router's fallback is built from); null for any other path. */
export function collectionRoute(path: string): { title: string; page: ReactNode } | null {
  let m;
  if (path === '/liked') return { title: 'Liked', page: wrap(<LikedPage />) };
  if (path === '/lists') return { title: 'Playlists', page: wrap(<PlaylistsPage />) };
  if ((m = match(ROUTES.playlist, path))) return { title: 'Playlist', page: wrap(<PlaylistPage key={m.id} id={m.id!} />) };
  return null;
}

/** A playlist in the sidebar: a link, and a drop target for dragged tracks. */
function NavPlaylist({ p, path }: { p: { id: string; name: string; version: number }; path: string }) {
  const client = useClient();
  const [over, setOver] = useState(false);
  return (
    <Link
      to={`/playlist/${p.id}`}
      className={`nav-link${over ? ' drop-target' : ''}`}
      aria-current={path === `/playlist/${p.id}` ? 'page' : undefined}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(TRACKS_TYPE)) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const ids = droppedTracks(e);
        if (ids?.length) void addToPlaylist(client, p, ids);
      }}
    >
      {p.name}
    </Link>
  );
}

/** The sidebar's "Your music" links, the user's playlists (drop tracks on them), Admin for administrators. */
export function CollectionNav({ path }: { path: string }) {
  const playlists = useMyPlaylists();
  const links = [
    { to: '/liked', label: 'Liked', icon: HeartIcon },
    { to: '/lists', label: 'Playlists', icon: PlaylistIcon },
  ];
  return (
    <>
      <div className="nav-group">Your music</div>
      {links.map(({ to, label, icon: Icon }) => (
        <Link key={to} to={to} className="nav-link" aria-current={path === to ? 'page' : undefined}>
          <Icon /> {label}
        </Link>
      ))}
      {playlists.length > 0 && (
        <nav className="nav-playlists" aria-label="Your playlists">
          {playlists.map((p) => (
            <NavPlaylist key={p.id} p={p} path={path} />
          ))}
        </nav>
      )}
    </>
  );
}
