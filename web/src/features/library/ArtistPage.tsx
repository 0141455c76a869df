import { useQuery } from 'urql';
import { graphql } from '../../graphql';
import { Cover } from '../../ui/Cover';
import { plural } from '../../ui/format';
import { PlayIcon } from '../../ui/icons';
import { usePlayerEngine } from '../player/player-context';
import { AlbumCard, AlbumCardFields } from './AlbumCard';
import { NotFound } from './NotFound';
import { toQueueTrack, TrackFields } from './track-fields';
import { TrackList } from './TrackList';

const ARTIST = graphql(
  `
    query Artist($id: ID!) {
      artist(id: $id) {
        id
        name
        albumCount
        trackCount
        coverArt {
          url
        }
        albums(first: 50) {
          edges {
            node {
              id
              ...AlbumCardFields
            }
          }
        }
        tracks(first: 100) {
          edges {
            node {
              id
              playCount
              ...TrackFields
            }
          }
        }
      }
    }
  `,
  [AlbumCardFields, TrackFields],
);

export function ArtistPage({ id }: { id: string }) {
  const [{ data, fetching }] = useQuery({ query: ARTIST, variables: { id } });
  const engine = usePlayerEngine();
  const artist = data?.artist;
  if (!artist) return fetching ? <div className="skeleton" style={{ height: 232, marginTop: 16 }} aria-busy="true" /> : <NotFound what="artist" />;
  // Top tracks: most played first (ties keep the library's order).
  const byPlays = [...artist.tracks.edges].sort((a, b) => b.node.playCount - a.node.playCount);
  const top = byPlays.slice(0, 10).map((e) => toQueueTrack(e.node));
  const all = artist.tracks.edges.map((e) => toQueueTrack(e.node));
  return (
    <>
      <header className="hero">
        <Cover url={artist.coverArt?.url} alt={`Picture for ${artist.name}`} size={512} round eager label={artist.name} />
        <div>
          <div className="kind">Artist</div>
          <h1>{artist.name}</h1>
          <p className="facts">
            {plural(artist.albumCount, 'album')} · {plural(artist.trackCount, 'track')}
          </p>
        </div>
      </header>
      <div className="actions">
        <button className="play-fab" aria-label={`Play ${artist.name}`} disabled={!all.length} onClick={() => void engine.playTracks(all, 0)}>
          <PlayIcon />
        </button>
        <button className="btn" disabled={!all.length} onClick={() => engine.addToQueue(all)}>
          Add to queue
        </button>
      </div>
      {top.length > 0 && (
        <section className="section" aria-labelledby="top-tracks">
          <h2 id="top-tracks">Top tracks</h2>
          <TrackList tracks={top} showCover />
        </section>
      )}
      {artist.albums.edges.length > 0 && (
        <section className="section" aria-labelledby="artist-albums">
          <h2 id="artist-albums">Albums</h2>
          <div className="grid">
            {artist.albums.edges.map((e) => (
              <AlbumCard key={e.node.id} album={e.node} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}
