import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { PLAYLIST_ITEMS_AFTER, type PlaylistData, type PlaylistItemEdge } from './playlist-api';

const PAGE = 100;

interface Rest {
  /** The playlist version and first page's last cursor these entries follow. */
  version: number;
  headEnd: string;
  edges: PlaylistItemEdge[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * The entries of a playlist after its first 100 (the PlaylistDetail every mutation and
 * playlistChanged answer with), loaded 100 at a time as the listener asks (`loadMore`: scrolling
 * near the end, or the button). A change of the playlist (a new version) reloads the loaded range
 * from the first page's end; meanwhile (`stale`) these entries belong to an older version than the
 * first page's, so together they may miss or repeat an entry: the caller shows the last whole list.
 */
export function usePlaylistRest(id: string, playlist: PlaylistData | null) {
  const client = useClient();
  const [wanted, setWanted] = useState(0);
  const [rest, setRest] = useState<Rest | null>(null);
  const restRef = useRef(rest);
  restRef.current = rest;
  const version = playlist?.version;
  const headEnd = playlist?.items.pageInfo.hasNextPage ? (playlist.items.pageInfo.endCursor ?? null) : null;
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (version === undefined || headEnd === null || wanted === 0) {
      if (headEnd === null) setRest(null);
      return;
    }
    const prior = restRef.current;
    // More of the same list: go on from its end. Anything changed: load the range again.
    const same = prior && prior.version === version && prior.headEnd === headEnd;
    if (same && (prior.edges.length >= wanted || !prior.hasNextPage)) return;
    let cancelled = false;
    setLoading(true);
    void (async () => {
      const edges = same ? [...prior.edges] : [];
      let after: string | null = same ? prior.endCursor : headEnd;
      let hasNextPage = true;
      while (hasNextPage && after && edges.length < wanted) {
        const r = await client.query(PLAYLIST_ITEMS_AFTER, { id, after }, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        const items = r.data?.playlist?.items;
        if (!items) break;
        edges.push(...items.edges);
        hasNextPage = items.pageInfo.hasNextPage;
        after = items.pageInfo.endCursor ?? null;
      }
      setRest({ version, headEnd, edges, hasNextPage, endCursor: after });
      setLoading(false);
    })();
    return () => {
      cancelled = true;
      setLoading(false);
    };
  }, [client, id, version, headEnd, wanted]);
  const loaded = rest?.edges.length ?? 0;
  const hasMore = headEnd !== null && (rest ? rest.hasNextPage : true);
  const loadMore = useCallback(() => setWanted((w) => Math.max(w, loaded + PAGE)), [loaded]);
  const stale = rest !== null && (rest.version !== version || rest.headEnd !== headEnd);
  return { edges: rest?.edges ?? [], hasMore, loadMore, loading: loading || stale, stale };
}
