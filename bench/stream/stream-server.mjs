// ytm-stream for the benchmark, in its own process: the real service (composeService from dist)
// on the real FerretDB and Kafka, with a LibraryService on real gRPC answering GetTrackFile for
// the benchmark file. Prints one JSON line {url, port} once a ticket is issued.
import { createLogger } from '@ytm/logger';
import { httpHandler, listen } from '@ytm/http';
import { createGrpcServer, LibraryService, listen as listenGrpc } from '@ytm/proto';
import { TestTokenIssuer, uniqueName } from '@ytm/testing';
import { benchIdentity } from '../service-process.mjs';
import { readConfig } from '../../subgraphs/stream/dist/config.js';
import { composeService } from '../../subgraphs/stream/dist/composition.js';

const [path, size, mtimeMs] = [process.env.BENCH_FILE, Number(process.env.BENCH_FILE_SIZE), Math.floor(Number(process.env.BENCH_FILE_MTIME))];
const library = createGrpcServer({ guard: benchIdentity('library').guard(console) });
library.server.addService(LibraryService, {
  getTrackFile: (call, cb) => cb(null, { trackId: call.request.trackId, path, size, mtimeMs, mimeType: 'audio/mpeg', durationSeconds: 600 }),
  batchGetTracks: (_c, cb) => cb(null, { tracks: [], missingIds: [] }),
});
const libraryPort = await listenGrpc(library.server, '127.0.0.1', 0);

const issuer = new TestTokenIssuer();
const dbName = uniqueName('stream_bench');
const config = readConfig({
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  MONGODB_DB: dbName,
  LIBRARY_GRPC_URL: `127.0.0.1:${libraryPort}`,
  PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://127.0.0.1:4000',
});
const logger = createLogger({ name: 'ytm-stream-bench', level: config.LOG_LEVEL });
const stream = await composeService(config, logger, benchIdentity('stream'), { resolveAccessKey: issuer.resolveKey });
await stream.start();
const { port } = await listen(httpHandler(stream.app, stream.routes), '127.0.0.1', Number(process.env.PORT ?? 0));

const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign({ tier: 'PREMIUM' })}` },
  body: JSON.stringify({ query: 'mutation { requestPlayback(trackId: "bench") { url } }' }),
});
const body = await res.json();
const publicUrl = body.data?.requestPlayback?.url;
if (!publicUrl) throw new Error(`requestPlayback failed: ${JSON.stringify(body)}`);
const token = publicUrl.slice(publicUrl.lastIndexOf('/') + 1);
process.stdout.write(`${JSON.stringify({ port, token })}\n`);

const stop = async () => {
  await stream.conn.db?.dropDatabase().catch(() => undefined);
  for (const [, run] of stream.shutdown) await run().catch(() => undefined);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
