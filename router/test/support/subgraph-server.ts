import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** Decides when a subgraph request (its body) is run: `go` runs it. */
export type Gate = (body: string, go: () => void) => void;

/** A real subgraph over HTTP (Apollo Server on buildSubgraphSchema); `gate` decides when each request is run (at once by default). */
export async function subgraphServer(sdl: string, resolvers: Record<string, unknown>, gate: Gate = (_, go) => go()) {
  const apollo = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }) });
  await apollo.start();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () =>
      gate(body, () => {
        void apollo
          .executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: JSON.parse(body) },
            context: async () => ({}),
          })
          .then((r) => {
            res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
            res.end(r.body.kind === 'complete' ? r.body.string : '');
          });
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      await apollo.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
