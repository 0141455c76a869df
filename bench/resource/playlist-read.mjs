// Reading a 1,000-item playlist: directly from ytm-resource (items only) and through the real
// router with every track's title and album title (library's part played by library-double.mjs:
// a federated subgraph + BatchGetTracks over gRPC). Prints p50/p95 of a whole read (10 pages of
// `items(first: 100)`, the maximum page) and of one page.
//
//   npx tsc -b subgraphs/resource router && node bench/resource/playlist-read.mjs [--iterations=40]
//
// Needs FerretDB/MongoDB and Kafka (MONGODB_URL, KAFKA_BROKERS).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, dropDatabase, freePort, gql, KAFKA_BROKERS, ms, percentiles, ROOT, startResource } from './lib.mjs';
import { LIBRARY_DOUBLE_SDL } from './library-double.mjs';
import { benchIdentity, TRUST_DIR } from '../service-process.mjs';

const iterations = Number(arg('iterations', '40'));
const ITEMS = 1_000;
const children = [];

function startChild(script, args, env = {}) {
  benchIdentity('router'); // creates the trust material (TRUST_DIR) if missing
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, TRUST_DIR, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

async function startLibraryDouble() {
  const child = startChild(join(ROOT, 'bench/resource/library-double.mjs'), [String(ITEMS * 2)]);
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`library double exited with ${code}`)));
  });
  return JSON.parse(line);
}

async function startRouter(resourceUrl, libraryGraphqlUrl) {
  const { composeServices } = await import('@apollo/composition');
  const { parse } = await import('graphql');
  const composed = composeServices([
    { name: 'resource', url: `${resourceUrl}/graphql`, typeDefs: parse(readFileSync(join(ROOT, 'subgraphs/resource/schema.graphql'), 'utf8')) },
    { name: 'library', url: libraryGraphqlUrl, typeDefs: parse(LIBRARY_DOUBLE_SDL) },
  ]);
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join('; ')}`);
  const file = join(mkdtempSync(join(tmpdir(), 'ytm-bench-')), 'supergraph.graphql');
  writeFileSync(file, composed.supergraphSdl);
  const [port, grpcPort] = [await freePort(), await freePort()];
  startChild(join(ROOT, 'router/dist/main.js'), [], {
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    OPS_PORT: String(await freePort()),
    SUPERGRAPH_MODE: 'static',
    SUPERGRAPH_PATH: file,
    JWKS_URL: `${resourceUrl}/.well-known/jwks.json`,
    RESOURCE_HTTP_URL: resourceUrl,
    KAFKA_BROKERS,
    USER_COST_PER_MINUTE: '1000000000',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('router did not start');
}

const PAGE_DIRECT =
  'query($id: ID!, $after: String) { playlist(id: $id) { version items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id position track { id } } } } } }';
const PAGE_ROUTER =
  'query($id: ID!, $after: String) { playlist(id: $id) { version items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id position track { id title album { title } } } } } } }';

/** One whole read: 10 pages in order; returns [total ms, page ms…]. */
async function readAll(url, query, id, token) {
  const pages = [];
  const started = process.hrtime.bigint();
  let after = null;
  let seen = 0;
  for (;;) {
    const t = process.hrtime.bigint();
    const r = await gql(url, query, { id, after }, token);
    pages.push(Number(process.hrtime.bigint() - t) / 1e6);
    const items = r.data?.playlist?.items;
    if (!items) throw new Error(`read failed: ${JSON.stringify(r.errors ?? r).slice(0, 300)}`);
    seen += items.edges.length;
    if (query === PAGE_ROUTER && items.edges.some((e) => !e.node.track?.album?.title)) throw new Error('a track came back without its album title');
    if (!items.pageInfo.hasNextPage) break;
    after = items.pageInfo.endCursor;
  }
  if (seen !== ITEMS) throw new Error(`read ${seen} items, expected ${ITEMS}`);
  return [Number(process.hrtime.bigint() - started) / 1e6, ...pages];
}

let resource;
try {
  const library = await startLibraryDouble();
  resource = await startResource({ LIBRARY_GRPC_URL: `127.0.0.1:${library.grpcPort}` });
  const router = await startRouter(resource.url, library.graphqlUrl);

  const s = await gql(resource.url, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
    i: { email: `bench-${resource.db}@ytm.test`, password: 'bench password 123', displayName: 'bench' },
  });
  const token = s.data.signUp.accessToken;
  const id = (await gql(resource.url, 'mutation { createPlaylist(input: { name: "bench", visibility: PUBLIC }) { id } }', {}, token)).data.createPlaylist.id;
  const ids = Array.from({ length: ITEMS }, (_, i) => `bench_trk_${i}`);
  const added = await gql(resource.url, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { trackCount } }', { id, t: ids }, token);
  if (added.data?.addTracksToPlaylist.trackCount !== ITEMS) throw new Error(JSON.stringify(added.errors));

  const results = {};
  for (const [name, url, query] of [
    ['resource direct (items, track ids)', resource.url, PAGE_DIRECT],
    ['through the router (+ title, album title)', router, PAGE_ROUTER],
  ]) {
    for (let i = 0; i < 3; i++) await readAll(url, query, id, token); // warm-up
    const whole = [];
    const pages = [];
    for (let i = 0; i < iterations; i++) {
      const [total, ...perPage] = await readAll(url, query, id, token);
      whole.push(total);
      pages.push(...perPage);
    }
    results[name] = { whole: percentiles(whole), page: percentiles(pages) };
  }
  // The M3U8 export through the router's /playlists/* proxy, with the same token.
  const exports = [];
  let entries = 0;
  for (let i = 0; i < 10; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${router}/playlists/${id}.m3u8`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    exports.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 200) throw new Error(`m3u8 through the router: ${res.status} ${text.slice(0, 200)}`);
    entries = text.split('\n').filter((l) => l.startsWith('#EXTINF:')).length;
  }
  const m3u = percentiles(exports);

  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other processes included)`,
  );
  console.log(`ytm-resource: reading a ${ITEMS}-item playlist, ${iterations} reads each (10 pages of 100)`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name}:`);
    console.log(`    whole playlist  p50 ${ms(r.whole.p50)}  p95 ${ms(r.whole.p95)}  max ${ms(r.whole.max)}`);
    console.log(`    one page (100)  p50 ${ms(r.page.p50)}  p95 ${ms(r.page.p95)}`);
  }
  console.log(`  GET /playlists/<id>.m3u8 through the router: ${entries} entries, p50 ${ms(m3u.p50)} p95 ${ms(m3u.p95)} (10 requests)`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  if (resource) {
    await resource.stop();
    await dropDatabase(resource.db).catch(() => undefined);
  }
}
