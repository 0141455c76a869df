import { Client, createRequest, gql, makeResult, type Exchange, type Operation, type OperationResult } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { describe, expect, it } from 'vitest';
import { delay, filter, fromValue, makeSubject, map, merge, mergeMap, pipe, subscribe, type Subject } from 'wonka';
import { cacheOptions } from '../src/app/cache-config';
import { fetchPageAfter } from '../src/features/library/use-pages';

// The lists' pagination against the app's real Graphcache configuration and a fake server: a
// list's query asks for its first page, `more` (use-pages.ts) fetches the next ones beside it.

const TRACKS = gql`
  query Tracks($after: String) {
    tracks(first: 2, after: $after) {
      totalCount
      edges {
        node {
          id
          title
          liked
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const LIKED = gql`
  query Liked($after: String) {
    me {
      id
      likedTracks(first: 2, after: $after) {
        totalCount
        edges {
          node {
            id
            title
            liked
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

const LIBRARY_CHANGED = gql`
  subscription LibraryChanged {
    libraryChanged {
      kind
      trackId
    }
  }
`;

const LIKE = gql`
  mutation Like($trackId: ID!) {
    likeTrack(trackId: $trackId) {
      id
      liked
    }
  }
`;

/** A server holding tracks (and the user's liked ones), answering two a page; `sent` records each list query's `after`. */
function fakeServer() {
  const state = { tracks: ['t1', 't2', 't3', 't4', 't5'], liked: ['t3', 't2', 't1'] };
  const sent: Array<{ op: string; after: unknown }> = [];
  const live: Subject<OperationResult> = makeSubject();
  const track = (id: string) => ({ __typename: 'Track', id, title: `Track ${id}`, liked: state.liked.includes(id) });
  const page = (ids: string[], after: unknown, typename: string) => {
    const from = typeof after === 'string' ? ids.indexOf(after) + 1 : 0;
    const slice = ids.slice(from, from + 2);
    return {
      __typename: typename,
      totalCount: ids.length,
      edges: slice.map((id) => ({ __typename: 'TrackEdge', node: track(id) })),
      pageInfo: { __typename: 'PageInfo', hasNextPage: from + 2 < ids.length, endCursor: slice.at(-1) ?? null },
    };
  };
  const answer = (op: Operation): OperationResult => {
    const def = op.query.definitions[0];
    const name = def?.kind === 'OperationDefinition' ? def.name?.value : '';
    const after = (op.variables as { after?: unknown }).after ?? null;
    if (name === 'Tracks') {
      sent.push({ op: name, after });
      return makeResult(op, { data: { tracks: page(state.tracks, after, 'TrackConnection') } });
    }
    if (name === 'Liked') {
      sent.push({ op: name, after });
      return makeResult(op, { data: { me: { __typename: 'User', id: 'u1', likedTracks: page(state.liked, after, 'TrackConnection') } } });
    }
    if (name === 'Like') {
      const id = (op.variables as { trackId: string }).trackId;
      state.liked = [id, ...state.liked.filter((t) => t !== id)];
      return makeResult(op, { data: { likeTrack: track(id) } });
    }
    throw new Error(`unexpected ${name}`);
  };
  const exchange: Exchange = () => (ops$) => {
    const answered = pipe(
      ops$,
      filter((op) => op.kind === 'query' || op.kind === 'mutation'),
      mergeMap((op) => pipe(fromValue(op), delay(1), map(answer))), // answered later, as over a network
    );
    return merge([answered, live.source]);
  };
  return { state, sent, exchange, live };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** What a list component does: its query (the first page) kept open, and its latest result. */
function openList(client: Client, query: typeof TRACKS) {
  const op = client.createRequestOperation('query', createRequest(query, { after: null }));
  const latest: { data?: unknown } = {};
  const sub = pipe(
    client.executeRequestOperation(op),
    subscribe((r) => (latest.data = r.data)),
  );
  const reread = () => client.reexecuteOperation(client.createRequestOperation('query', op, { ...op.context, requestPolicy: 'cache-only' }));
  return { op, latest, reread, close: () => sub.unsubscribe() };
}

const ids = (conn: { edges: Array<{ node: { id: string } }> } | undefined) => conn?.edges.map((e) => e.node.id);

describe('paginated lists: an invalidated list starts again from its first page', () => {
  it('Tracks past page 1, then a library change: the list is refetched from the top, not shrunk to the page loaded last', async () => {
    const server = fakeServer();
    const client = new Client({ url: '/graphql', exchanges: [cacheExchange(cacheOptions()), server.exchange] });
    const list = openList(client, TRACKS);
    await tick();
    expect(ids((list.latest.data as { tracks: never }).tracks)).toEqual(['t1', 't2']);
    // Scrolled: two more pages, each fetched beside the list's query and merged into it.
    await fetchPageAfter(client, TRACKS, { after: null }, 't2');
    list.reread();
    await tick();
    await fetchPageAfter(client, TRACKS, { after: null }, 't4');
    list.reread();
    await tick();
    expect(ids((list.latest.data as { tracks: never }).tracks)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    server.sent.length = 0;
    // A track is added to the library: every page of `tracks` is stale.
    server.state.tracks = ['t0', ...server.state.tracks];
    server.live.next(
      makeResult(client.createRequestOperation('subscription', createRequest(LIBRARY_CHANGED, {})), {
        data: { libraryChanged: { __typename: 'LibraryChange', kind: 'ADDED', trackId: 't0' } },
      }),
    );
    await tick();
    await tick();
    expect(server.sent).toEqual([{ op: 'Tracks', after: null }]);
    expect(ids((list.latest.data as { tracks: never }).tracks)).toEqual(['t0', 't1']);
    list.close();
  });

  it('Liked after "Load more", then a like: the list is refetched from the top with the new like first', async () => {
    const server = fakeServer();
    const client = new Client({ url: '/graphql', exchanges: [cacheExchange(cacheOptions()), server.exchange] });
    const list = openList(client, LIKED);
    await tick();
    await fetchPageAfter(client, LIKED, { after: null }, 't2');
    list.reread();
    await tick();
    const liked = () => ids((list.latest.data as { me: { likedTracks: never } }).me.likedTracks);
    expect(liked()).toEqual(['t3', 't2', 't1']);
    server.sent.length = 0;
    await client.mutation(LIKE, { trackId: 't5' }).toPromise();
    await tick();
    expect(server.sent).toEqual([{ op: 'Liked', after: null }]);
    expect(liked()).toEqual(['t5', 't3']);
  });
});
