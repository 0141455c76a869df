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
export async function eventsSubgraph(sdl: string): Promise<{ middleware: Koa.Middleware<AppState>; stop(): Promise<void> }> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(sdl) }),
    introspection: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();
  return { middleware: apolloKoa(server, { context: async () => ({}) }), stop: () => server.stop() };
}
