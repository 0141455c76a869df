import { lazy, Suspense, type ReactNode } from 'react';
import { HeartIcon } from '../ui/more-icons';
import '../styles/collection.css';
import { Link } from './router';

// The listener's own pages and the admin's, loaded when first opened (not part of the initial script).
const LikedPage = lazy(() => import('../features/likes/LikedPage').then((m) => ({ default: m.LikedPage })));

const wrap = (page: ReactNode) => (
  <Suspense fallback={<div className="skeleton" style={{ height: 232 }} aria-busy="true" aria-label="Loading" />}>{page}</Suspense>
);

/** The collection routes (each also in ROUTES, routes.ts, which the router's fallback is built from); null for any other path. */
export function collectionRoute(path: string): { title: string; page: ReactNode } | null {
  if (path === '/liked') return { title: 'Liked', page: wrap(<LikedPage />) };
  return null;
}

/** The sidebar's "Your music" links (and Admin for administrators). */
export function CollectionNav({ path }: { path: string }) {
  const links = [{ to: '/liked', label: 'Liked', icon: HeartIcon }];
  return (
    <>
      <div className="nav-group">Your music</div>
      {links.map(({ to, label, icon: Icon }) => (
        <Link key={to} to={to} className="nav-link" aria-current={path === to || (to !== '/' && path.startsWith(`${to}/`)) ? 'page' : undefined}>
          <Icon /> {label}
        </Link>
      ))}
    </>
  );
}
