import { useQuery } from 'urql';
import { Link, useRouter } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { toQueueTrack } from '../library/track-fields';
import { TrackList } from '../library/TrackList';
import { SEARCH } from './search-query';

/** All results for a query (Enter in the search box). */
export function SearchPage() {
  const { search } = useRouter();
  const q = (search.get('q') ?? '').trim();
  const [{ data, fetching }] = useQuery({ query: SEARCH, variables: { query: q, limit: 25 }, pause: !q });
  const r = data?.search;
  const nothing = r && !r.tracks.length && !r.albums.length && !r.artists.length;
  return (
    <>
      <div className="page-head">
        <h1>{q ? `Results for “${q}”` : 'Search'}</h1>
      </div>
      {!q && <p className="subtle">Type in the search box above (or press /) to find tracks, albums and artists.</p>}
      {fetching && !r && <p className="subtle">Searching…</p>}
      {nothing && <p className="subtle">Nothing found. Check the spelling, or try fewer words.</p>}
      {r && r.tracks.length > 0 && (
        <section className="section" aria-labelledby="res-tracks">
          <h2 id="res-tracks">Tracks</h2>
          <TrackList tracks={r.tracks.map(toQueueTrack)} showCover />
        </section>
      )}
      {r && r.albums.length > 0 && (
        <section className="section" aria-labelledby="res-albums">
          <h2 id="res-albums">Albums</h2>
          <div className="grid">
            {r.albums.map((a) => (
              <article className="card" key={a.id}>
                <Link to={`/albums/${a.id}`} aria-label={`${a.title} by ${a.artist.name}`}>
                  <Cover url={a.coverArt?.url} alt="" label={a.title} />
                </Link>
                <Link to={`/albums/${a.id}`} className="title" tabIndex={-1}>
                  {a.title}
                </Link>
                <span className="meta">{a.artist.name}</span>
              </article>
            ))}
          </div>
        </section>
      )}
      {r && r.artists.length > 0 && (
        <section className="section" aria-labelledby="res-artists">
          <h2 id="res-artists">Artists</h2>
          <div className="grid">
            {r.artists.map((a) => (
              <article className="card artist" key={a.id}>
                <Link to={`/artists/${a.id}`} aria-label={a.name}>
                  <Cover url={a.coverArt?.url} alt="" round label={a.name} />
                </Link>
                <Link to={`/artists/${a.id}`} className="title" tabIndex={-1}>
                  {a.name}
                </Link>
              </article>
            ))}
          </div>
        </section>
      )}
    </>
  );
}
