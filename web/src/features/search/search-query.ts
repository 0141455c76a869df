import { graphql } from '../../graphql';
import { TrackFields } from '../library/track-fields';

export const SEARCH = graphql(
  `
    query Search($query: String!, $limit: Int!) {
      search(query: $query, limit: $limit) {
        tracks {
          id
          ...TrackFields
        }
        albums {
          id
          title
          year
          artist {
            id
            name
          }
          coverArt {
            url
          }
        }
        artists {
          id
          name
          albumCount
          coverArt {
            url
          }
        }
      }
    }
  `,
  [TrackFields],
);
