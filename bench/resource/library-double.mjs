// A stand-in for ytm-library in the resource benchmarks: BatchGetTracks over real gRPC and a
// federated subgraph serving Track { title duration album { title } } for N synthetic tracks
// `bench_trk_<i>`. Prints {"grpcPort":…,"graphqlUrl":…} once listening.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createGrpcServer, LibraryService, listen, Metadata, status } from '@ytm/proto';
import { benchIdentity } from '../service-process.mjs';

export const LIBRARY_DOUBLE_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Track @key(fields: "id") { id: ID! title: String! duration: Float! album: Album }
type Album @key(fields: "id") { id: ID! title: String! }
`;

const count = Number(process.argv[2] ?? 10_000);
const track = (id) => {
  const i = Number(/^bench_trk_(\d+)$/.exec(id)?.[1] ?? NaN);
  if (!Number.isInteger(i) || i >= count) return null;
  return { id, title: `Track ${i}`, duration: 120 + (i % 240), albumId: `bench_alb_${Math.floor(i / 12)}`, albumTitle: `Album ${Math.floor(i / 12)}` };
};

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const grpc = createGrpcServer({ guard: benchIdentity('library').guard(console) });
  grpc.server.addService(LibraryService, {
    getTrackFile: (_call, cb) => cb({ code: status.UNIMPLEMENTED, details: 'not here', metadata: new Metadata() }),
    batchGetTracks: (call, cb) => {
      const tracks = call.request.ids.map(track).filter(Boolean);
      cb(null, {
        tracks: tracks.map((t) => ({
          id: t.id,
          title: t.title,
          durationSeconds: t.duration,
          albumId: t.albumId,
          albumTitle: t.albumTitle,
          artistNames: ['Bench Artist'],
        })),
        missingIds: call.request.ids.filter((id) => !track(id)),
      });
    },
  });
  const grpcPort = await listen(grpc.server, '127.0.0.1', 0);
  const apollo = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs: parse(LIBRARY_DOUBLE_SDL),
      resolvers: {
        Track: {
          __resolveReference: (ref) => track(ref.id),
          album: (t) => ({ id: t.albumId, title: t.albumTitle }),
        },
        Album: { __resolveReference: (ref) => ({ id: ref.id, title: `Album ${ref.id.split('_').pop()}` }) },
      },
    }),
  });
  const { url } = await startStandaloneServer(apollo, { listen: { host: '127.0.0.1', port: 0 } });
  process.stdout.write(`${JSON.stringify({ grpcPort, graphqlUrl: url })}\n`);
}
