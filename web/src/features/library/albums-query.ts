import { createRequest, formatDocument, stringifyDocument, type SSRData } from '@urql/core';
import { graphql } from '../../graphql';

/** What an album card shows. */
export const AlbumCardFields = graphql(`
  fragment AlbumCardFields on Album {
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
`);

/** The albums grid, a page at a time. */
export const ALBUMS = graphql(
  `
    query Albums($sort: AlbumSort!, $direction: SortDirection!, $after: String) {
      albums(sort: $sort, direction: $direction, first: 48, after: $after) {
        totalCount
        edges {
          cursor
          node {
            id
            ...AlbumCardFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [AlbumCardFields],
);

/** The first screen of the app: the albums grid as it opens at `/` (recently added first). */
export const FIRST_SCREEN = { sort: 'ADDED_AT', direction: 'DESC', after: null } as const;

/**
 * The first screen's query, sent as soon as the session is restored, while the app's code still
 * loads and starts (main.ts); its answer seeds the client (ssrExchange), so the grid renders with
 * its first paint instead of asking only then. Sent with `__typename`s, as Graphcache asks.
 */
export async function prefetchFirstScreen(token: string): Promise<SSRData | undefined> {
  const request = createRequest(ALBUMS, FIRST_SCREEN);
  try {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ operationName: 'Albums', query: stringifyDocument(formatDocument(request.query)), variables: FIRST_SCREEN }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown };
    if (!res.ok || body.errors || !body.data) return undefined;
    return { [request.key]: { data: JSON.stringify(body.data), hasNext: false } };
  } catch {
    return undefined;
  }
}
