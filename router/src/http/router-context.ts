import type { Viewer } from '@ytm/auth';
import type { Logger } from '@ytm/logger';

/** Per-request context of the router's GraphQL execution. */
export interface RouterContext {
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  /** Lower-cased request headers the data sources may pass on to subgraphs. */
  forwardHeaders: Record<string, string>;
}
