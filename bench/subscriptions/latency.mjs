// Subscription latency: time from an updatePlaylist response (or a Kafka publish) to the event at
// each subscriber, with 1, 100 and 1,000 subscribers, memory per idle subscriber on the router,
// and what each event cost: planned queries the router ran (its ytm_subscription_entity_fetches_total)
// and GraphQL requests the subgraphs served (their ytm_http_request_duration_seconds_count for
// /graphql), per event. Modes: see README.md.
// Run: npm run build && node bench/subscriptions/latency.mjs   (starts infra and the system itself)
import { createPrivateKey, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { up } from '../../infra/infra.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startSystem } from '../../scripts/system.mjs';

const COUNTS = (process.env.COUNTS ?? '1,100,1000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const MODES = (process.env.MODES ?? 'shared,distinct,library,liked').split(',');
const TARGET_P99_MS = 250;
const infra = await up({ log: () => {} });
const dbPrefix = `bench_${randomUUID().slice(0, 8)}`;
const music = mkdtempSync(join(tmpdir(), 'ytm-bench-music-'));
execFileSync('ffmpeg', [
  '-loglevel',
  'error',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:duration=2',
  '-metadata',
  'title=Bench Song',
  '-metadata',
  'artist=Bench',
  '-metadata',
  'album=Bench Album',
  '-y',
  join(music, 'bench.mp3'),
]);
const system = await startSystem({
  mongodbUrl: infra.mongodbUrl,
  kafkaBrokers: infra.kafkaBrokers,
  ephemeral: true,
  dbPrefix,
  production: true,
  // Every subscriber connects from this one address, up to 1,000 of them as one user (`shared`):
  // far over the per-account and per-address limits a real household gets.
  env: {
    LOG_LEVEL: 'error',
    MUSIC_DIR: music,
    SUBSCRIBER_QUEUE_LIMIT: '1000',
    MAX_SUBSCRIPTIONS_PER_CONNECTION: '1000',
    WS_CONNECTIONS_PER_USER: '100000',
    WS_CONNECTIONS_PER_ADDRESS: '100000',
    SUBSCRIPTIONS_PER_USER: '100000',
  },
});
const gql = async (query, variables, token) => {
  const r = await fetch(system.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return r.json();
};
const owner = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
  i: { email: `owner-${randomUUID()}@example.com`, password: 'password 1234', displayName: 'Owner' },
});
const ownerToken = owner.data.signUp.accessToken;
const playlist = (await gql('mutation { createPlaylist(input: { name: "Bench", visibility: PUBLIC }) { id } }', {}, ownerToken)).data.createPlaylist;

// Subscribers are distinct users; their tokens are signed with resource's real key (read from its
// database) so that a thousand sign-ups (bcrypt) do not dominate the run.
const conn = await mongoose.createConnection(infra.mongodbUrl, { dbName: `${dbPrefix}_resource` }).asPromise();
const key = await conn.collection('signing_keys').findOne({ retiredAt: null });
await conn.close();
const privateKey = createPrivateKey({ key: JSON.parse(key.privateJwk), format: 'jwk' });
const mint = () =>
  jwt.sign({ sub: randomUUID(), sid: randomUUID(), role: 'USER', plan: { tier: 'FREE', exp: null } }, privateKey, {
    algorithm: 'ES256',
    header: { alg: 'ES256', typ: 'at+jwt', kid: key._id },
    issuer: 'ytm-resource',
    audience: 'ytm',
    expiresIn: 3600,
  });

const routerRss = async () => {
  const { readFileSync } = await import('node:fs');
  const status = readFileSync(`/proc/${system.services.router.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
};
/** A service's served GraphQL requests so far (its own request metric). */
const graphqlRequests = async (name) => {
  const text = await (await fetch(`${system.services[name].opsUrl}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('ytm_http_request_duration_seconds_count{') && /route="[^"]*graphql"/.test(line)) n += Number(line.split(' ').pop());
  }
  return n;
};
const routerCounter = async (name) => {
  const text = await (await fetch(`${system.services.router.opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
};
const SUBGRAPHS = ['library', 'resource', 'stream'];
const subscribersAre = async (n) => {
  for (let i = 0; i < 1_200; i++) {
    const health = await (await fetch(`${system.services.router.opsUrl}/health`)).json();
    if (health.subscribers === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the router did not reach ${n} subscriptions`);
};
const counts = async () => ({
  fetches: await routerCounter('ytm_subscription_entity_fetches_total'),
  likes: await routerCounter('ytm_subscription_likes_lookups_total'),
  ...Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (n) => [n, await graphqlRequests(n)]))),
});
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

let round;
const trackId = await (async () => {
  for (let i = 0; i < 100; i++) {
    const r = await gql('{ tracks(first: 1) { edges { node { id } } } }', {}, ownerToken);
    const id = r.data?.tracks.edges[0]?.node.id;
    if (id) return id;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the bench track was not scanned');
})();
const producer = new Kafka({ brokers: infra.kafkaBrokers.split(','), clientId: 'bench', logLevel: logLevel.NOTHING }).producer({
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();
const loadavg = async () =>
  (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const SUBSCRIPTIONS = {
  library: 'subscription { libraryChanged { kind trackId track { title album { title } playCount } } }',
  liked: 'subscription { libraryChanged { kind trackId track { title liked } } }',
  playlist: 'subscription($id: ID!) { playlistChanged(id: $id) { kind playlist { name version } } }',
};
// What the bench's own mutation costs the subgraphs (to subtract from the per-event counts).
const mutationCost = await (async () => {
  const before = await counts();
  for (let i = 0; i < 3; i++)
    await gql('mutation($id: ID!, $n: String!) { updatePlaylist(id: $id, input: { name: $n }) { version } }', { id: playlist.id, n: `warm${i}` }, ownerToken);
  const after = await counts();
  return Object.fromEntries(SUBGRAPHS.map((n) => [n, (after[n] - before[n]) / 3]));
})();
console.log(
  `subscription latency (mutation response or Kafka publish → event at client), ${ROUNDS} rounds per size; target p99 ≤ ${TARGET_P99_MS} ms at 1,000 distinct users`,
);
console.log(`load average at start: ${await loadavg()}`);
for (const mode of MODES) {
  const sharedToken = mint();
  console.log(
    (mode === 'library' || mode === 'liked'
      ? `\n${SUBSCRIPTIONS[mode]}, distinct users; from the Kafka publish`
      : `\n${SUBSCRIPTIONS.playlist}, ${mode} users; from the mutation's response`) +
      '\nsubscribers | p50 ms | p99 ms | max ms | router RSS MB | planned queries / event | subgraph requests / event (library resource stream) | LikesOfUsers gRPC / event | load avg',
  );
  for (const n of COUNTS) {
    const rssBefore = await routerRss();
    const clients = [];
    const arrivals = new Map(); // version -> array of arrival times
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((resolve, reject) => {
            const client = createClient({
              url: system.graphqlUrl.replace('http', 'ws'),
              webSocketImpl: WebSocket,
              connectionParams: { authorization: `Bearer ${mode === 'shared' ? sharedToken : mint()}` },
              retryAttempts: 0,
            });
            clients.push(client);
            const op =
              mode === 'library' || mode === 'liked' ? { query: SUBSCRIPTIONS[mode] } : { query: SUBSCRIPTIONS.playlist, variables: { id: playlist.id } };
            client.subscribe(op, {
              next: (v) => {
                const version =
                  mode === 'library' || mode === 'liked' ? (v.data?.libraryChanged?.track ? round : undefined) : v.data?.playlistChanged?.playlist?.version;
                if (version !== undefined) (arrivals.get(version) ?? arrivals.set(version, []).get(version)).push(performance.now());
              },
              error: reject,
              complete: () => {},
            });
            client.on('connected', () => setTimeout(resolve, 50));
          }),
      ),
    );
    // Every subscription live (its access probe done), so the counts below are the events' alone.
    await subscribersAre(n);
    await new Promise((r) => setTimeout(r, 1_000));
    const rssIdle = await routerRss();
    const latencies = [];
    const before = await counts();
    for (let i = 0; i < ROUNDS; i++) {
      let version;
      let t0;
      if (mode === 'library' || mode === 'liked') {
        // No mutation changes the library (the watcher does): the event is published straight to Kafka.
        round = `r${i}`;
        version = round;
        await producer.send({
          topic: 'ytm.library.events',
          messages: [
            {
              key: trackId,
              value: JSON.stringify({
                specversion: '1.0',
                id: randomUUID(),
                type: 'library.track.updated',
                source: 'bench',
                time: new Date().toISOString(),
                subject: trackId,
                data: { __typename: 'Track', id: trackId, changed: {} },
              }),
            },
          ],
        });
        t0 = performance.now();
      } else {
        const res = await gql(
          'mutation($id: ID!, $n: String!) { updatePlaylist(id: $id, input: { name: $n }) { version } }',
          { id: playlist.id, n: `r${i}` },
          ownerToken,
        );
        t0 = performance.now();
        if (!res.data) throw new Error(`updatePlaylist failed: ${JSON.stringify(res.errors)}`);
        version = res.data.updatePlaylist.version;
      }
      const deadline = Date.now() + 30_000;
      while ((arrivals.get(version)?.length ?? 0) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      for (const t of arrivals.get(version) ?? []) latencies.push(Math.max(0, t - t0));
      const missing = n - (arrivals.get(version)?.length ?? 0);
      if (missing > 0) console.log(`  round ${i}: ${missing} subscribers did not receive the event within 30 s`);
    }
    const after = await counts();
    const fromMutation = mode === 'library' || mode === 'liked' ? 0 : 1;
    const perEvent = SUBGRAPHS.map((s) => ((after[s] - before[s] - fromMutation * ROUNDS * mutationCost[s]) / ROUNDS).toFixed(1)).join(' ');
    console.log(
      `${String(n).padStart(11)} | ${pct(latencies, 50).toFixed(1).padStart(6)} | ${pct(latencies, 99).toFixed(1).padStart(6)} | ${Math.max(...latencies)
        .toFixed(1)
        .padStart(
          6,
        )} | ${(rssIdle / 1e6).toFixed(0).padStart(13)} | ${((after.fetches - before.fetches) / ROUNDS).toFixed(1).padStart(23)} | ${perEvent.padStart(
        50,
      )} | ${((after.likes - before.likes) / ROUNDS).toFixed(1).padStart(24)} | ${await loadavg()}`,
    );
    if (n >= 1000 && mode !== 'shared')
      console.log(`            target: p99 ≤ ${TARGET_P99_MS} ms → ${pct(latencies, 99) <= TARGET_P99_MS ? 'met' : 'NOT met'}`);
    if (n >= 100) console.log(`            memory per idle subscriber ≈ ${((rssIdle - rssBefore) / n / 1024).toFixed(1)} KiB (router RSS delta / subscribers)`);
    await Promise.all(clients.map((c) => c.dispose()));
    await subscribersAre(0);
  }
}
await system.stop();
process.exit(0);
