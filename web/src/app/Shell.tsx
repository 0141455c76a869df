import { useEffect, useRef, type ReactNode } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../graphql';
import { useSession } from '../features/auth/session-context';
import { useProfile } from '../features/auth/use-profile';
import { AlbumsPage } from '../features/library/AlbumsPage';
import { NotFound } from '../features/library/NotFound';
import { PlayerBar } from '../features/player/PlayerBar';
import { SearchBox } from '../features/search/SearchBox';
import { AlbumIcon, ArtistIcon, Logo, QueueIcon, SearchIcon, SignOutIcon, TracksIcon } from '../ui/icons';
import { LibraryLive } from '../features/live/LibraryLive';
import { LiveStatus } from '../features/live/LiveStatus';
import { SelectionBar } from '../features/playlists/add-to-playlist';
import { UserIcon } from '../ui/more-icons';
import { Notices } from '../ui/notices';
import { CollectionNav, collectionRoute } from './collection-routes';
import { AlbumPage, ArtistPage, ArtistsPage, PageSuspense, preloadPages, QueuePage, SearchPage, TracksPage } from './pages';
import { PageErrorBoundary } from './PageErrorBoundary';
import { Link, useRouter } from './router';
import { resolve, type RouteName } from './routes';

const LIBRARY_CHANGED = graphql(`
  subscription LibraryChanged {
    libraryChanged {
      kind
      trackId
    }
  }
`);

const NAV = [
  { to: '/', label: 'Albums', icon: AlbumIcon, active: (p: string) => p === '/' || p.startsWith('/albums') },
  { to: '/artists', label: 'Artists', icon: ArtistIcon, active: (p: string) => p.startsWith('/artists') },
  { to: '/tracks', label: 'Tracks', icon: TracksIcon, active: (p: string) => p === '/tracks' },
  { to: '/queue', label: 'Queue', icon: QueueIcon, active: (p: string) => p === '/queue' },
];

type PageName = Exclude<RouteName, 'signin' | 'signup'>;
type Shown = { title: string; page: ReactNode };
const notFound = (): Shown => ({ title: 'Not found', page: <NotFound /> });

/**
 * A page for every route of ROUTES (routes.ts): a route without one does not compile, and the
 * build derives the router's SPA fallback from the same list. The listener's own pages come from
 * collection-routes.tsx.
 */
const PAGES: { [K in PageName]: (params: Record<string, string>, path: string) => Shown } = {
  albums: () => ({ title: 'Albums', page: <AlbumsPage /> }),
  album: ({ id }) => ({ title: 'Album', page: <AlbumPage key={id} id={id!} /> }),
  artists: () => ({ title: 'Artists', page: <ArtistsPage /> }),
  artist: ({ id }) => ({ title: 'Artist', page: <ArtistPage key={id} id={id!} /> }),
  tracks: () => ({ title: 'Tracks', page: <TracksPage /> }),
  search: () => ({ title: 'Search', page: <SearchPage /> }),
  queue: () => ({ title: 'Queue', page: <QueuePage /> }),
  liked: (_, path) => collectionRoute(path) ?? notFound(),
  lists: (_, path) => collectionRoute(path) ?? notFound(),
  playlist: (_, path) => collectionRoute(path) ?? notFound(),
  history: (_, path) => collectionRoute(path) ?? notFound(),
  account: (_, path) => collectionRoute(path) ?? notFound(),
  admin: (_, path) => collectionRoute(path) ?? notFound(),
};

function route(path: string): Shown {
  const r = resolve(path);
  return r && r.name !== 'signin' && r.name !== 'signup' ? PAGES[r.name](r.params, path) : notFound();
}

/** The signed-in app: sidebar (tab bar on phones), search, the page, the persistent player bar. */
export function Shell() {
  const { path } = useRouter();
  const user = useProfile();
  const session = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  useSubscription({ query: LIBRARY_CHANGED });
  const { title, page } = route(path);
  useEffect(preloadPages, []);
  useEffect(() => {
    document.title = `${title} · YTM`;
    if (first.current) first.current = false;
    else mainRef.current?.focus({ preventScroll: true });
  }, [path, title]);
  const signOut = () => void session.signOut();
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Library">
        <Link to="/" className="brand" aria-label="YTM home">
          <Logo /> YTM
        </Link>
        {NAV.map(({ to, label, icon: Icon, active }) => (
          <Link key={to} to={to} className="nav-link" aria-current={active(path) ? 'page' : undefined}>
            <Icon /> {label}
          </Link>
        ))}
        <CollectionNav path={path} />
        <div className="spacer" />
        <div className="account">
          <div className="avatar" aria-hidden="true">
            {user.displayName.slice(0, 1).toUpperCase()}
          </div>
          <div className="who">
            <div className="name">{user.displayName}</div>
            <div className="plan">{user.plan.tier === 'PREMIUM' ? 'Premium' : 'Free plan'}</div>
          </div>
          <button className="icon-btn" aria-label="Sign out" title="Sign out" onClick={signOut}>
            <SignOutIcon />
          </button>
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <SearchBox />
          <Link to="/account" className="icon-btn account-btn" aria-label="Account, liked tracks and playlists">
            <UserIcon />
          </Link>
          <button className="icon-btn account-btn" aria-label={`Sign out ${user.displayName}`} onClick={signOut}>
            <SignOutIcon />
          </button>
        </header>
        <main id="content" className="page" tabIndex={-1} ref={mainRef} style={{ outline: 'none' }}>
          <PageErrorBoundary key={path}>
            <PageSuspense>{page}</PageSuspense>
          </PageErrorBoundary>
        </main>
      </div>
      <PlayerBar />
      <SelectionBar />
      <LibraryLive />
      <LiveStatus />
      <Notices />
      <nav className="tabbar" aria-label="Sections">
        {[...NAV.slice(0, 3), { to: '/search', label: 'Search', icon: SearchIcon, active: (p: string) => p === '/search' }, NAV[3]!].map(
          ({ to, label, icon: Icon, active }) => (
            <Link key={to} to={to} aria-current={active(path) ? 'page' : undefined}>
              <Icon /> {label}
            </Link>
          ),
        )}
      </nav>
    </div>
  );
}
