import { graphql } from '../../graphql';
import { Link } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { plural } from '../../ui/format';
import { useInfinite } from './use-infinite';
import { usePages } from './use-pages';

const ARTISTS = graphql(`
  query Artists($after: String) {
    artists(first: 60, after: $after) {
      totalCount
      edges {
        node {
          id
          name
          albumCount
          trackCount
          coverArt {
            url
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const FIRST_PAGE = { after: null };

export function ArtistsPage() {
  const { data, more } = usePages(ARTISTS, FIRST_PAGE, (d) => d.artists.pageInfo);
  const page = data?.artists;
  const sentinel = useInfinite(more);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Artists</h1>
          <p className="subtle">{page ? plural(page.totalCount, 'artist') : '\u00a0'}</p>
        </div>
      </div>
      <div className="grid">
        {page?.edges.map(({ node: a }, i) => (
          <article key={a.id} className="card artist">
            <Link to={`/artists/${a.id}`} aria-label={a.name}>
              <Cover url={a.coverArt?.url} alt="" round label={a.name} eager={i < 12} />
            </Link>
            <Link to={`/artists/${a.id}`} className="title" tabIndex={-1}>
              {a.name}
            </Link>
            <span className="meta">{plural(a.albumCount || a.trackCount, a.albumCount ? 'album' : 'track')}</span>
          </article>
        ))}
      </div>
      <div ref={sentinel} />
    </>
  );
}
