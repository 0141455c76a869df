import { useMutation, useQuery } from 'urql';
import { graphql } from '../../graphql';
import { errorText } from '../../ui/errors';
import { HeartFilledIcon, HeartIcon } from '../../ui/more-icons';
import { notify } from '../../ui/notices';

// Answered from the cache when the row's track was loaded with TrackFields (which carries `liked`);
// asked from the API only for tracks that were not (a queue restored from storage).
const LIKED = graphql(`
  query TrackLiked($id: ID!) {
    track(id: $id) {
      id
      liked
    }
  }
`);

export const LIKE = graphql(`
  mutation LikeTrack($trackId: ID!) {
    likeTrack(trackId: $trackId) {
      id
      liked
    }
  }
`);

export const UNLIKE = graphql(`
  mutation UnlikeTrack($trackId: ID!) {
    unlikeTrack(trackId: $trackId) {
      id
      liked
    }
  }
`);

/**
 * The heart of a track. The change shows at once everywhere the track is on screen (Graphcache's
 * optimistic update of the one Track entity); an error rolls it back and says why.
 */
export function LikeButton({ trackId, title, liked: known }: { trackId: string; title: string; liked?: boolean }) {
  // A list that loaded `liked` with its tracks passes it: no query for each row.
  const [{ data }] = useQuery({ query: LIKED, variables: { id: trackId }, requestPolicy: 'cache-first', pause: known !== undefined });
  const [, like] = useMutation(LIKE);
  const [, unlike] = useMutation(UNLIKE);
  const liked = known ?? data?.track?.liked ?? false;
  const toggle = async () => {
    const r = liked ? await unlike({ trackId }) : await like({ trackId });
    if (r.error) notify(`Could not ${liked ? 'unlike' : 'like'} “${title}”: ${errorText(r.error)}.`, { tone: 'error' });
  };
  return (
    <button
      className={`icon-btn like${liked ? ' on' : ''}`}
      aria-pressed={liked}
      aria-label={`Like ${title}`}
      title={liked ? 'Remove from Liked' : 'Add to Liked'}
      disabled={known === undefined && !data?.track}
      onClick={() => void toggle()}
    >
      {liked ? <HeartFilledIcon /> : <HeartIcon />}
    </button>
  );
}
