import { LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * The events subgraph's routing URL in the supergraph. Nothing listens there: the gateway reaches
 * the subgraph in-process (`eventsDataSource`), so it is never served on any port.
 */
export const EVENTS_SUBGRAPH_URL = 'http://in-process.invalid/events';

/**
 * The events subgraph, executed in-process (for composition health checks; its Subscription
 * fields are never fetched: the router executes subscriptions itself, see ws-server.ts).
 */
export function eventsDataSource(sdl: string): LocalGraphQLDataSource {
  return new LocalGraphQLDataSource(buildSubgraphSchema({ typeDefs: parse(sdl) }));
}
