import type { GraphQLDataSource } from '@apollo/gateway';
import type { Viewer } from '@ytm/auth';
import type { Logger } from '@ytm/logger';

/** Per-request context of the router's GraphQL execution. */
export interface RouterContext {
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  /** Lower-cased request headers the data sources may pass on to subgraphs. */
  forwardHeaders: Record<string, string>;
  /** A subgraph fetch already made for this request, taken by the data source that would make it (`DirectFetches`). */
  prefetched?: Prefetched;
}

/** The outcome of a fetch of `operation` made before the request went to the gateway's own execution. */
export interface Prefetched {
  operation: string;
  outcome: { response: Awaited<ReturnType<GraphQLDataSource['process']>> } | { error: unknown };
}
