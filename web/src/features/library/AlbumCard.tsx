import { useClient } from 'urql';
import { graphql, readFragment, type FragmentOf } from '../../graphql';
import { Link } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { PlayIcon } from '../../ui/icons';
import { usePlayerEngine } from '../player/player-context';
import { AlbumCardFields } from './albums-query';
import { toQueueTrack, TrackFields } from './track-fields';

export { AlbumCardFields };

const ALBUM_TRACKS = graphql(
  `
    query AlbumTracks($id: ID!) {
      album(id: $id) {
        id
        tracks {
          ...TrackFields
        }
      }
    }
  `,
  [TrackFields],
);

/** Fetches an album's tracks (from the cache when there) and plays them from the first. */
export function usePlayAlbum(): (albumId: string) => Promise<void> {
  const client = useClient();
  const engine = usePlayerEngine();
  return async (albumId) => {
    const r = await client.query(ALBUM_TRACKS, { id: albumId }, { requestPolicy: 'cache-first' }).toPromise();
    const tracks = r.data?.album?.tracks.map(toQueueTrack) ?? [];
    if (tracks.length) await engine.playTracks(tracks, 0);
  };
}

export function AlbumCard({ album: data, eager }: { album: FragmentOf<typeof AlbumCardFields>; eager?: boolean }) {
  const album = readFragment(AlbumCardFields, data);
  const playAlbum = usePlayAlbum();
  return (
    <article className="card">
      <Link to={`/albums/${album.id}`} aria-label={`${album.title} by ${album.artist.name}`}>
        <Cover url={album.coverArt?.url} alt="" label={album.title} eager={eager} />
      </Link>
      <button className="play-fab" aria-label={`Play ${album.title}`} onClick={() => void playAlbum(album.id)}>
        <PlayIcon />
      </button>
      <Link to={`/albums/${album.id}`} className="title" tabIndex={-1}>
        {album.title}
      </Link>
      <span className="meta">
        {album.year ? `${album.year} · ` : ''}
        <Link to={`/artists/${album.artist.id}`}>{album.artist.name}</Link>
      </span>
    </article>
  );
}
