import { useCallback, useRef, useState } from 'react';
import { useClient, useQuery, type AnyVariables, type Client, type DocumentInput } from 'urql';

export interface PageInfo {
  hasNextPage: boolean;
  endCursor?: string | null;
}

/** The page after `cursor` of a list, fetched on the side into the cache (its pages merge there). */
export function fetchPageAfter<Data, Variables extends AnyVariables>(
  client: Client,
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  cursor: string,
): Promise<unknown> {
  return client.query(query, { ...variables, after: cursor }).toPromise();
}

/**
 * A cursor-paginated list whose pages Graphcache merges (relayPagination). Its query always asks
 * for the first page (`variables` with `after: null`); `more` fetches the page after the last one
 * shown on the side, and the list is then read again from the cache, every page merged. When a
 * change invalidates the list (every page of it: a library change, a like), the query Graphcache
 * refetches is the first page's, so the list starts again from its top: a query that asked for
 * `after: <last cursor>` would be refetched as that page alone, and the list would shrink to it.
 */
export function usePages<Data, Variables extends AnyVariables & { after?: string | null }>(
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  pageInfo: (data: Data) => PageInfo | undefined,
) {
  const client = useClient();
  const [result, reexecute] = useQuery<Data, Variables>({ query, variables });
  const [loadingMore, setLoadingMore] = useState(false);
  const busy = useRef(false);
  const vars = useRef(variables);
  vars.current = variables;
  const info = result.data ? pageInfo(result.data) : undefined;
  const cursor = info?.hasNextPage ? (info.endCursor ?? null) : null;
  const more = useCallback(() => {
    if (!cursor || busy.current) return;
    busy.current = true;
    setLoadingMore(true);
    void fetchPageAfter(client, query, vars.current, cursor).finally(() => {
      busy.current = false;
      setLoadingMore(false);
      reexecute({ requestPolicy: 'cache-only' });
    });
  }, [client, query, cursor, reexecute]);
  return { ...result, fetching: result.fetching || loadingMore, more: cursor ? more : undefined };
}
