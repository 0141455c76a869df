import { graphql, readFragment, type FragmentOf } from '../../graphql';
import type { QueueTrack } from '../player/queue';

/** What a track row and the queue need of a track. */
export const TrackFields = graphql(`
  fragment TrackFields on Track {
    id
    title
    duration
    liked
    trackNumber
    discNumber
    artists {
      id
      name
    }
    album {
      id
      title
      coverArt {
        url
      }
    }
    coverArt {
      url
    }
    format {
      mimeType
      codec
    }
  }
`);

export type TrackData = FragmentOf<typeof TrackFields>;

export function toQueueTrack(data: TrackData): QueueTrack {
  const t = readFragment(TrackFields, data);
  const cover = t.coverArt?.url ?? t.album?.coverArt?.url ?? null;
  return {
    id: t.id,
    title: t.title,
    duration: t.duration,
    artists: t.artists.map((a) => ({ id: a.id, name: a.name })),
    album: t.album ? { id: t.album.id, title: t.album.title } : null,
    cover: cover ? new URL(cover, location.origin).pathname : null,
    format: t.format ? { mimeType: t.format.mimeType, codec: t.format.codec } : null,
  };
}
