import { useQuery } from 'urql';
import { graphql } from '../../graphql';
import { toQueueTrack, TrackFields } from '../library/track-fields';
import { TrackList } from '../library/TrackList';
import './account.css';

const RECENTLY_PLAYED = graphql(
  `
    query RecentlyPlayed {
      me {
        id
        recentlyPlayed(first: 50) {
          playedAt
          completed
          track {
            id
            playCount
            ...TrackFields
          }
        }
      }
    }
  `,
  [TrackFields],
);

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What the user played, newest first (tracks that left the library are left out). */
export function HistoryPage() {
  const [{ data, fetching }] = useQuery({ query: RECENTLY_PLAYED, requestPolicy: 'cache-and-network' });
  const records = (data?.me.recentlyPlayed ?? []).flatMap((r) => (r.track ? [{ ...r, track: r.track }] : []));
  const tracks = records.map((r) => toQueueTrack(r.track));
  const titleOf = (i: number) => tracks[i]?.title ?? '';
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Recently played</h1>
          <p className="subtle">{data ? `${records.length} recent plays` : '\u00a0'}</p>
        </div>
      </div>
      {!data && fetching && <div className="skeleton" style={{ height: 232 }} aria-busy="true" />}
      {data && records.length === 0 && (
        <section className="empty-state">
          <h2>Nothing played yet</h2>
          <p>What you play shows here, newest first.</p>
        </section>
      )}
      <section aria-label="Recently played tracks">
        <TrackList tracks={tracks} showCover />
      </section>
      {records.length > 0 && (
        <ol className="subtle history-list" aria-label="When">
          {records.map((r, i) => (
            <li key={i}>
              {titleOf(i)}: {when(r.playedAt)}
              {r.completed ? '' : ' (not finished)'}, played {r.track.playCount} times by all listeners
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
