import { graphql, type ResultOf } from '../../graphql';
import { TrackFields } from '../library/track-fields';

/** What the playlist page shows and every playlist mutation (and playlistChanged) answers with. */
export const PlaylistDetail = graphql(
  `
    fragment PlaylistDetail on Playlist {
      id
      name
      description
      visibility
      version
      trackCount
      updatedAt
      owner {
        id
        displayName
      }
      items(first: 100) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            position
            addedAt
            track {
              id
              ...TrackFields
            }
          }
        }
      }
    }
  `,
  [TrackFields],
);

export type PlaylistData = ResultOf<typeof PlaylistDetail>;
export type PlaylistItemEdge = PlaylistData['items']['edges'][number];

/**
 * The entries after the first 100 (which PlaylistDetail holds), 100 at a time: `after` is an
 * entry's cursor, and the API continues after that entry wherever it is now.
 */
export const PLAYLIST_ITEMS_AFTER = graphql(
  `
    query PlaylistItemsAfter($id: ID!, $after: String!) {
      playlist(id: $id) {
        id
        items(first: 100, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              position
              addedAt
              track {
                id
                ...TrackFields
              }
            }
          }
        }
      }
    }
  `,
  [TrackFields],
);

export const PLAYLIST = graphql(
  `
    query Playlist($id: ID!) {
      playlist(id: $id) {
        id
        ...PlaylistDetail
      }
    }
  `,
  [PlaylistDetail],
);

export const MY_PLAYLISTS = graphql(`
  query MyPlaylists {
    me {
      id
      playlists(first: 100) {
        totalCount
        edges {
          node {
            id
            name
            description
            visibility
            trackCount
            version
            updatedAt
          }
        }
      }
    }
  }
`);

export const CREATE_PLAYLIST = graphql(`
  mutation CreatePlaylist($input: CreatePlaylistInput!) {
    createPlaylist(input: $input) {
      id
      name
      description
      visibility
      trackCount
      version
      updatedAt
    }
  }
`);

export const UPDATE_PLAYLIST = graphql(
  `
    mutation UpdatePlaylist($id: ID!, $input: UpdatePlaylistInput!, $expectedVersion: Int) {
      updatePlaylist(id: $id, input: $input, expectedVersion: $expectedVersion) {
        id
        ...PlaylistDetail
      }
    }
  `,
  [PlaylistDetail],
);

export const DELETE_PLAYLIST = graphql(`
  mutation DeletePlaylist($id: ID!) {
    deletePlaylist(id: $id)
  }
`);

export const ADD_TRACKS = graphql(
  `
    mutation AddTracksToPlaylist($id: ID!, $trackIds: [ID!]!, $position: Int, $expectedVersion: Int) {
      addTracksToPlaylist(id: $id, trackIds: $trackIds, position: $position, expectedVersion: $expectedVersion) {
        id
        ...PlaylistDetail
      }
    }
  `,
  [PlaylistDetail],
);

export const REMOVE_ITEMS = graphql(
  `
    mutation RemovePlaylistItems($id: ID!, $itemIds: [ID!]!, $expectedVersion: Int) {
      removePlaylistItems(id: $id, itemIds: $itemIds, expectedVersion: $expectedVersion) {
        id
        ...PlaylistDetail
      }
    }
  `,
  [PlaylistDetail],
);

export const MOVE_ITEM = graphql(
  `
    mutation MovePlaylistItem($id: ID!, $itemId: ID!, $toPosition: Int!, $expectedVersion: Int) {
      movePlaylistItem(id: $id, itemId: $itemId, toPosition: $toPosition, expectedVersion: $expectedVersion) {
        id
        ...PlaylistDetail
      }
    }
  `,
  [PlaylistDetail],
);

export const PLAYLIST_CHANGED = graphql(
  `
    subscription PlaylistChanged($id: ID!) {
      playlistChanged(id: $id) {
        kind
        playlistId
        playlist {
          id
          ...PlaylistDetail
        }
      }
    }
  `,
  [PlaylistDetail],
);
