import type { GraphQLDataSource } from '@apollo/gateway';
import type { Viewer } from '@ytm/auth';
import type { Logger } from '@ytm/logger';
import type { DirectOperation } from '../supergraph/direct-fetch.js';

/** Per-request context of the router's GraphQL execution. */
export interface RouterContext {
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  /** Lower-cased request headers the data sources may pass on to subgraphs. */
  forwardHeaders: Record<string, string>;
  /** Subgraph fetches already made for this request, each taken once by the data source that would make it (`DirectFetches`). */
  prefetched?: Prefetched[];
  /** The request's cost, already charged to its budget by the router's own HTTP path (the same check, not charged twice). */
  charged?: Promise<void>;
  /** The direct operation that answered the request (set by `DirectFetches`; `KnownOperations` learns from it). */
  direct?: DirectOperation;
  /**
   * The request's operation is a mutation (set where it is run: `DirectFetches`' executor,
   * `KnownOperations`): none of its subgraph fetches shares another request's in-flight fetch, the
   * entity fetches after its write included.
   */
  mutation?: boolean;
}

/** The outcome of a fetch of `operation` with `variables` (as JSON) made before the request went to the gateway's own execution. */
export interface Prefetched {
  operation: string;
  variables: string;
  outcome: { response: Awaited<ReturnType<GraphQLDataSource['process']>> } | { error: unknown };
}
