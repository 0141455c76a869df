import { useQuery } from 'urql';
import { graphql, readFragment } from '../../graphql';
import { Link } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { longDuration, plural } from '../../ui/format';
import { PlayIcon, ShuffleIcon } from '../../ui/icons';
import { usePlayerEngine } from '../player/player-context';
import { NotFound } from './NotFound';
import { toQueueTrack, TrackFields } from './track-fields';
import { TrackList } from './TrackList';

const ALBUM = graphql(
  `
    query Album($id: ID!) {
      album(id: $id) {
        id
        title
        year
        genres
        duration
        trackCount
        discCount
        compilation
        artist {
          id
          name
        }
        coverArt {
          url
        }
        tracks {
          ...TrackFields
        }
      }
    }
  `,
  [TrackFields],
);

export function AlbumPage({ id }: { id: string }) {
  const [{ data, fetching }] = useQuery({ query: ALBUM, variables: { id } });
  const engine = usePlayerEngine();
  const album = data?.album;
  if (!album) return fetching ? <div className="skeleton" style={{ height: 232, marginTop: 16 }} aria-busy="true" /> : <NotFound what="album" />;
  const tracks = album.tracks.map(toQueueTrack);
  const raw = readFragment(TrackFields, album.tracks);
  // Tracks come in disc, then track order; one heading per disc when there are several.
  const discs = new Map<number, number[]>();
  raw.forEach((t, i) => discs.set(t.discNumber ?? 1, [...(discs.get(t.discNumber ?? 1) ?? []), i]));
  return (
    <>
      <header className="hero">
        <Cover url={album.coverArt?.url} alt={`Cover of ${album.title}`} size={512} eager label={album.title} />
        <div>
          <div className="kind">{album.compilation ? 'Compilation' : 'Album'}</div>
          <h1>{album.title}</h1>
          <p className="facts">
            <Link to={`/artists/${album.artist.id}`}>{album.artist.name}</Link>
            {album.year ? ` · ${album.year}` : ''} · {plural(album.trackCount, 'track')}, {longDuration(album.duration)}
            {album.genres.length ? ` · ${album.genres.join(', ')}` : ''}
          </p>
        </div>
      </header>
      <div className="actions">
        <button className="play-fab" aria-label={`Play ${album.title}`} onClick={() => void engine.playTracks(tracks, 0)}>
          <PlayIcon />
        </button>
        <button className="btn" onClick={() => engine.addToQueue(tracks)}>
          Add to queue
        </button>
        <button
          className="icon-btn"
          aria-label="Shuffle play"
          onClick={() => {
            if (!engine.snapshot.queue.shuffle) engine.toggleShuffle();
            void engine.playTracks(tracks, Math.floor(Math.random() * tracks.length));
          }}
        >
          <ShuffleIcon />
        </button>
      </div>
      {[...discs.entries()].map(([disc, indexes]) => (
        <section key={disc} aria-label={discs.size > 1 ? `Disc ${disc}` : 'Tracks'}>
          {discs.size > 1 && <h2 className="disc">Disc {disc}</h2>}
          <TrackList
            tracks={indexes.map((i) => tracks[i]!)}
            numbers={indexes.map((i) => raw[i]!.trackNumber ?? null)}
            showAlbum={false}
            onPlay={(n) => void engine.playTracks(tracks, indexes[n])}
          />
        </section>
      ))}
    </>
  );
}
