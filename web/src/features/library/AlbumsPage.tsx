import { useEffect, useMemo } from 'react';
import { useRouter } from '../../app/router';
import { plural } from '../../ui/format';
import { AlbumCard } from './AlbumCard';
import { ALBUMS } from './albums-query';
import { EmptyLibrary } from './EmptyLibrary';
import { useInfinite } from './use-infinite';
import { usePages } from './use-pages';

const SORTS = [
  { id: 'recent', label: 'Recently added', sort: 'ADDED_AT', direction: 'DESC' },
  { id: 'title', label: 'A–Z', sort: 'TITLE', direction: 'ASC' },
  { id: 'artist', label: 'Artist', sort: 'ARTIST', direction: 'ASC' },
  { id: 'year', label: 'Newest', sort: 'YEAR', direction: 'DESC' },
] as const;

export function AlbumsPage() {
  const { search, navigate } = useRouter();
  const chosen = SORTS.find((s) => s.id === search.get('sort')) ?? SORTS[0];
  // The first page's variables are the first screen's (FIRST_SCREEN), which main.ts prefetched.
  const variables = useMemo(() => ({ sort: chosen.sort, direction: chosen.direction, after: null }), [chosen.sort, chosen.direction]);
  const { data, fetching, error, more } = usePages(ALBUMS, variables, (d) => d.albums.pageInfo);
  const page = data?.albums;
  const sentinel = useInfinite(more);
  const ready = Boolean(page);
  useEffect(() => {
    // The first-load budget is measured to this mark (the library is on screen and usable).
    if (ready && performance.getEntriesByName('ytm:library-ready').length === 0) performance.mark('ytm:library-ready');
  }, [ready]);

  if (page && page.totalCount === 0) return <EmptyLibrary />;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Albums</h1>
          <p className="subtle" aria-live="polite">
            {page ? plural(page.totalCount, 'album') : '\u00a0'}
          </p>
        </div>
        <div className="chips" role="group" aria-label="Sort albums">
          {SORTS.map((s) => (
            <button
              key={s.id}
              className="chip"
              aria-pressed={s.id === chosen.id}
              onClick={() => navigate(s.id === 'recent' ? '/' : `/?sort=${s.id}`, { replace: true })}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      {error && !page && <p className="alert">Could not load albums. {error.networkError ? 'Check your connection.' : ''}</p>}
      <div className="grid" aria-busy={fetching}>
        {page?.edges.map((e, i) => (
          <AlbumCard key={e.node.id} album={e.node} eager={i < 12} />
        ))}
        {!page && fetching && Array.from({ length: 12 }, (_, i) => <div key={i} className="skeleton" style={{ aspectRatio: '1 / 1.25' }} />)}
      </div>
      <div ref={sentinel} />
    </>
  );
}
