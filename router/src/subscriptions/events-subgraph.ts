import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type Koa from 'koa';
import { apolloKoa, type AppState } from '@ytm/http';

/**
 * Serves the events subgraph's SDL in-process (for composition and health checks). Its
 * Subscription fields are never fetched over HTTP: the router executes subscriptions itself.
 */
export function eventsSubgraph(sdl: string): { middleware: Koa.Middleware<AppState>; start(): Promise<void>; stop(): Promise<void> } {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(sdl) }),
    introspection: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  return { middleware: apolloKoa(server, { context: async () => ({}) }), start: () => server.start(), stop: () => server.stop() };
}
