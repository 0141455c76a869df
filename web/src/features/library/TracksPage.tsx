import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { graphql, readFragment } from '../../graphql';
import { plural } from '../../ui/format';
import { usePlayer, usePlayerEngine } from '../player/player-context';
import { current } from '../player/queue';
import { useFixedRows } from './fixed-rows';
import { toQueueTrack, TrackFields, type TrackData } from './track-fields';
import { TrackRow } from './TrackList';
import { usePages } from './use-pages';

const TRACKS = graphql(
  `
    query Tracks($sort: TrackSort!, $direction: SortDirection!, $filter: TrackFilter, $after: String) {
      tracks(sort: $sort, direction: $direction, filter: $filter, first: 100, after: $after) {
        totalCount
        edges {
          node {
            id
            ...TrackFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [TrackFields],
);

const SORTS = [
  ['TITLE', 'Title'],
  ['ARTIST', 'Artist'],
  ['ALBUM', 'Album'],
  ['ADDED_AT', 'Date added'],
  ['YEAR', 'Year'],
  ['DURATION', 'Length'],
] as const;
type Sort = (typeof SORTS)[number][0];
const ROW = 60;

/** Every track, virtualised (only the rows on screen exist), loading the next page as you near it. */
export function TracksPage() {
  const [sort, setSort] = useState<Sort>('TITLE');
  const [direction, setDirection] = useState<'ASC' | 'DESC'>('ASC');
  const [genreInput, setGenreInput] = useState('');
  const [genre, setGenre] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setGenre(genreInput.trim()), 300);
    return () => clearTimeout(t);
  }, [genreInput]);
  const variables = useMemo(() => ({ sort, direction, filter: genre ? { genre } : null, after: null }), [sort, direction, genre]);
  const { data, fetching, more } = usePages(TRACKS, variables, (d) => d.tracks.pageInfo);
  const page = data?.tracks;
  const edges = page?.edges ?? [];
  const total = page?.totalCount ?? 0;
  const engine = usePlayerEngine();
  const playingId = current(usePlayer().queue)?.track.id;
  const listRef = useRef<HTMLDivElement>(null);
  const { slots, height, last } = useFixedRows(listRef, total, ROW, 10);
  // The next page is asked for a page ahead (about 2 s of a brisk scroll), so it is there in time.
  useEffect(() => {
    if (last >= edges.length - 100) more?.();
  }, [last, edges.length, more]);
  const edgesRef = useRef(edges);
  edgesRef.current = edges;
  // Stable, so rows on screen are not rendered again as the list scrolls (memo below).
  const queueFrom = useCallback(
    (index: number) => {
      // Play from here: the loaded tracks from this one on (up to 500), like a list player does.
      const tracks = edgesRef.current.slice(index, index + 500).map((e) => toQueueTrack(e.node));
      void engine.playTracks(tracks, 0);
    },
    [engine],
  );
  // The header does not change as the list scrolls (the list renders whenever its first row changes).
  const loadedOnce = page !== undefined;
  const head = useMemo(
    () => (
      <div className="page-head">
        <div>
          <h1>Tracks</h1>
          <p className="subtle">{loadedOnce ? plural(total, 'track') : '\u00a0'}</p>
        </div>
        <div className="list-head">
          <label className="visually-hidden" htmlFor="track-sort">
            Sort by
          </label>
          <select id="track-sort" className="select" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            {SORTS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
          <button
            className="chip"
            aria-label={direction === 'ASC' ? 'Ascending order, switch to descending' : 'Descending order, switch to ascending'}
            onClick={() => setDirection((d) => (d === 'ASC' ? 'DESC' : 'ASC'))}
          >
            {direction === 'ASC' ? '↑ Ascending' : '↓ Descending'}
          </button>
          <label className="visually-hidden" htmlFor="genre-filter">
            Filter by genre
          </label>
          <input
            id="genre-filter"
            className="input"
            style={{ width: 160, padding: '7px 12px' }}
            placeholder="Genre"
            value={genreInput}
            onChange={(e) => setGenreInput(e.target.value)}
          />
        </div>
      </div>
    ),
    [loadedOnce, total, sort, direction, genreInput],
  );
  return (
    <>
      {head}
      {page && total === 0 && <p className="subtle">No tracks match.</p>}
      <div ref={listRef} className="virtual" role="list" aria-label="Tracks" aria-busy={fetching} data-loaded={edges.length} style={{ height }}>
        {slots.map(({ key, index, top }) => {
          const edge = edges[index];
          // The same element for the slot whatever index it shows: only its position and content change.
          return (
            <div
              key={key}
              role="listitem"
              className={edge ? 'row' : 'row skeleton'}
              aria-hidden={edge ? undefined : 'true'}
              style={{ height: ROW, transform: `translateY(${top}px)` }}
            >
              {edge && <Row node={edge.node} index={index} playingId={playingId} play={queueFrom} />}
            </div>
          );
        })}
      </div>
    </>
  );
}

/** One row; rendered again only when its track, position or the playing track changes. */
const Row = memo(function Row({
  node,
  index,
  playingId,
  play,
}: {
  node: TrackData;
  index: number;
  playingId: string | undefined;
  play: (index: number) => void;
}) {
  const t = useMemo(() => toQueueTrack(node), [node]);
  // Liked as the list loaded it (Graphcache updates it in place): no query per row.
  const liked = readFragment(TrackFields, node).liked;
  return <TrackRow as="div" track={t} number={index + 1} isCurrent={t.id === playingId} showCover={false} showAlbum liked={liked} onPlay={() => play(index)} />;
});
