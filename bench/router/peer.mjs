// A peer gateway for bench/router, in its own process: `node peer.mjs apollo|hive <port> <supergraph file>`.
// Both forward only Authorization to the subgraphs (what a subgraph needs to verify the caller).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const [kind, port, supergraphPath] = process.argv.slice(2);
const supergraphSdl = readFileSync(supergraphPath, 'utf8');
const ready = () => process.stdout.write(`listening ${port}\n`);
// bench/router ends a peer with SIGTERM; Hive Gateway's own handler disposes it but leaves the
// process (its HTTP server) running, so the peer exits here.
process.once('SIGTERM', () => process.exit(0));

if (kind === 'apollo') {
  // The workspace's own @apollo/gateway and @apollo/server (the versions the router is built on).
  const require = createRequire(new URL('../../router/package.json', import.meta.url));
  const { ApolloGateway, RemoteGraphQLDataSource } = await import(require.resolve('@apollo/gateway'));
  const { ApolloServer, HeaderMap } = await import(require.resolve('@apollo/server'));
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer({ gateway, csrfPrevention: false });
  await server.start();
  createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      const result = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: new URL(req.url, 'http://x').search, body },
        context: async () => ({ authorization: req.headers.authorization }),
      });
      res.statusCode = result.status ?? 200;
      for (const [k, v] of result.headers) res.setHeader(k, v);
      if (result.body.kind === 'complete') res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    });
  }).listen(Number(port), '127.0.0.1', ready);
} else if (kind === 'hive') {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway');
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }) },
  });
  createServer(gateway).listen(Number(port), '127.0.0.1', ready);
} else {
  throw new Error(`unknown peer ${kind}`);
}
