import { graphql } from '../../graphql';
import { plural } from '../../ui/format';
import { PlayIcon } from '../../ui/icons';
import { usePlayerEngine } from '../player/player-context';
import { toQueueTrack, TrackFields } from '../library/track-fields';
import { TrackList } from '../library/TrackList';
import { usePages } from '../library/use-pages';

export const LIKED_TRACKS = graphql(
  `
    query LikedTracks($after: String) {
      me {
        id
        likedTracks(first: 100, after: $after) {
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
    }
  `,
  [TrackFields],
);

const FIRST_PAGE = { after: null };

/** The tracks the user liked, newest like first. */
export function LikedPage() {
  const { data, fetching, more } = usePages(LIKED_TRACKS, FIRST_PAGE, (d) => d.me.likedTracks.pageInfo);
  const engine = usePlayerEngine();
  const page = data?.me.likedTracks;
  const tracks = (page?.edges ?? []).map((e) => toQueueTrack(e.node));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Liked</h1>
          <p className="subtle">{page ? plural(page.totalCount, 'liked track') : '\u00a0'}</p>
        </div>
      </div>
      <div className="actions">
        <button className="play-fab" aria-label="Play liked tracks" disabled={!tracks.length} onClick={() => void engine.playTracks(tracks, 0)}>
          <PlayIcon />
        </button>
        <button className="btn" disabled={!tracks.length} onClick={() => engine.addToQueue(tracks)}>
          Add to queue
        </button>
      </div>
      {page && tracks.length === 0 && (
        <section className="empty-state">
          <h2>No liked tracks yet</h2>
          <p>Press the heart beside any track to keep it here.</p>
        </section>
      )}
      {!page && fetching && <div className="skeleton" style={{ height: 232 }} aria-busy="true" />}
      <section aria-label="Liked tracks">
        <TrackList tracks={tracks} showCover />
      </section>
      {more && (
        <button className="btn" disabled={fetching} onClick={more}>
          Load more
        </button>
      )}
    </>
  );
}
