#!/usr/bin/env node
// Transcoding benchmark, each number beside its anchor in the same run, through the router of a
// whole system (startSystem: router, library, resource, stream on free ports):
//   1. first byte of a new transcode (p50/p95)  vs  plain ffmpeg's first byte on the same file and settings;
//   2. first byte of a seek (?t=) while that track's transcode runs  vs  plain ffmpeg -ss;
//   3. transcode throughput (seconds of audio per second)  vs  plain ffmpeg to a pipe;
//   4. a cached transcode served with Range  vs  an original file, the same byte count from each, MB/s (median per GET).
// Needs FerretDB + Kafka (MONGODB_URL / KAFKA_BROKERS, e.g. from `npm run infra -- up`) and a build.
// Usage: node bench/stream/transcode.mjs [--tracks=10] [--seeks=10] [--rounds=2] [--long=300] [--format=OPUS] [--bitrate=128]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSystem } from '../../scripts/system.mjs';
import { ffmpegArgs } from '../../subgraphs/stream/dist/transcode/ffmpeg-args.js';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const TRACKS = Number(arg('tracks', '10'));
const SEEKS = Number(arg('seeks', '10'));
const ROUNDS = Number(arg('rounds', '2'));
const FORMAT = arg('format', 'OPUS');
const BITRATE = Number(arg('bitrate', '128'));
const SHORT_SECONDS = 60;
const LONG_SECONDS = Number(arg('long', '300'));
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const NICE = Number(process.env.TRANSCODE_NICE ?? '10');
const MONGODB_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

const base = mkdtempSync(join(tmpdir(), 'ytm-bench-transcode-'));
const music = join(base, 'music');
const cache = join(base, 'transcodes');
process.on('exit', () => rmSync(base, { recursive: true, force: true }));

/** Music-like audio (pink noise under a tone; anoisesrc's seed differs per file, so does the content). */
function makeFlac(path, seconds) {
  execFileSync(FFMPEG, [
    ...['-v', 'error', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.4:duration=${seconds}:sample_rate=44100`],
    ...['-f', 'lavfi', '-i', `sine=frequency=330:duration=${seconds}:sample_rate=44100`],
    ...['-filter_complex', '[0][1]amix=inputs=2,aformat=channel_layouts=stereo', '-c:a', 'flac', '-y', path],
  ]);
}
execFileSync('mkdir', ['-p', music]);
process.stderr.write(`generating ${TRACKS} tracks of ${SHORT_SECONDS} s and one of ${LONG_SECONDS} s...\n`);
for (let i = 0; i < TRACKS; i++) makeFlac(join(music, `short-${String(i).padStart(3, '0')}.flac`), SHORT_SECONDS);
makeFlac(join(music, 'long.flac'), LONG_SECONDS);

const system = await startSystem({
  mongodbUrl: MONGODB_URL,
  kafkaBrokers: KAFKA_BROKERS,
  ephemeral: true,
  dbPrefix: `bench_tc_${randomUUID().slice(0, 8)}`,
  production: true,
  env: {
    LOG_LEVEL: 'warn',
    MUSIC_DIR: music,
    TRANSCODE_CACHE_DIR: cache,
    TRANSCODE_NICE: String(NICE),
    ...(FFMPEG !== 'ffmpeg' ? { FFMPEG_PATH: FFMPEG } : {}),
  },
  readyTimeoutMs: 120_000,
});

async function gql(query, variables = {}, token) {
  const res = await fetch(system.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** GET through the router; resolves at the first body byte and at 16 kB (ms since the request), then reads on or cuts. */
function timedGet(url, { readAll = false, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first;
    let at16k;
    let bytes = 0;
    const req = http.get(url, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 206) return reject(new Error(`status ${res.statusCode}`));
      res.on('data', (c) => {
        bytes += c.length;
        first ??= performance.now() - t0;
        if (bytes >= 16_384 && at16k === undefined) {
          at16k = performance.now() - t0;
          if (!readAll) {
            req.destroy();
            resolve({ first, at16k, bytes });
          }
        }
      });
      res.on('end', () => resolve({ first, at16k, bytes, total: performance.now() - t0 }));
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (first === undefined ? reject(err) : undefined));
  });
}

/** Plain ffmpeg with the service's own arguments (to a pipe only): first byte, 16 kB, and the whole encode. */
function plainFfmpeg(input, offsetSeconds = 0, readAll = false) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(FFMPEG, ffmpegArgs({ input, spec: { format: FORMAT, bitrate: BITRATE }, offsetSeconds }), { stdio: ['ignore', 'pipe', 'ignore'] });
    // The same priority as the service gives its ffmpeg (TRANSCODE_NICE): on a shared machine an
    // un-niced anchor would get more CPU than the process it is compared with.
    if (NICE > 0) setPriority(child.pid, NICE);
    let first;
    let at16k;
    let bytes = 0;
    child.stdout.on('data', (c) => {
      bytes += c.length;
      first ??= performance.now() - t0;
      if (bytes >= 16_384 && at16k === undefined) {
        at16k = performance.now() - t0;
        if (!readAll) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ first, at16k, bytes, total: performance.now() - t0 }));
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const median = (xs) => pct(xs, 50);
const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const signed = (n) => `${n >= 0 ? '+' : ''}${f(n)}`;
const waitIdle = async () => {
  for (let i = 0; i < 200; i++) {
    const health = await (await fetch(`${system.services.stream.opsUrl}/health`)).json();
    if ((health.transcodes?.running ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
};

try {
  const { signUp } = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }', {
    i: { email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'bench password 1234', displayName: 'Bench' },
  });
  const token = signUp.accessToken;
  let tracks = [];
  for (let i = 0; i < 600 && tracks.length < TRACKS + 1; i++) {
    tracks = (await gql('{ tracks(first: 100) { edges { node { id title duration } } } }', {}, token)).tracks.edges.map((e) => e.node);
    if (tracks.length < TRACKS + 1) await new Promise((r) => setTimeout(r, 200));
  }
  const long = tracks.find((t) => t.duration > SHORT_SECONDS * 2);
  const shorts = tracks.filter((t) => t !== long);
  // FREE allows one ticket at a time and 50 a day: the benchmark is one PREMIUM-like listener
  // asking for many, so it uses fresh sign-ups when a ticket would revoke a running one.
  const ticket = async (id, tk = token) =>
    (
      await gql(
        'mutation($id: ID!, $f: StreamFormat, $b: Int) { requestPlayback(trackId: $id, format: $f, maxBitrate: $b) { url } }',
        { id, f: FORMAT, b: BITRATE },
        tk,
      )
    ).requestPlayback.url;
  const newUser = async () =>
    (
      await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
        i: { email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'bench password 1234', displayName: 'Bench' },
      })
    ).signUp.accessToken;

  // 1. first byte of a new transcode, beside plain ffmpeg on the same file.
  const newFirst = [];
  const new16k = [];
  const plainFirst = [];
  const plain16k = [];
  const shortFiles = readdirSync(music).filter((n) => n.startsWith('short-'));
  for (const [i, t] of shorts.entries()) {
    const url = await ticket(t.id, await newUser());
    // Every short file has the same length and format: the anchor encodes one of them with the same arguments.
    const p = await plainFfmpeg(join(music, shortFiles[i % shortFiles.length]));
    plainFirst.push(p.first);
    plain16k.push(p.at16k);
    const r = await timedGet(url);
    newFirst.push(r.first);
    new16k.push(r.at16k);
    await waitIdle();
  }

  // 2. a seek (?t=) while the long track's transcode runs, beside plain ffmpeg -ss.
  const longPath = join(music, 'long.flac');
  const seekFirst = [];
  const plainSeekFirst = [];
  const listener = await newUser();
  const longUrl = await ticket(long.id, listener);
  for (let i = 0; i < SEEKS; i++) {
    const running = http.get(longUrl, { agent: false }, (res) => res.resume());
    running.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const offset = Math.round(((i + 1) / (SEEKS + 1)) * (LONG_SECONDS - 30));
    plainSeekFirst.push((await plainFfmpeg(longPath, offset)).first);
    seekFirst.push((await timedGet(`${longUrl}?t=${offset}`)).first);
    running.destroy();
    await waitIdle();
  }

  // 3. throughput: the whole long track, downloaded flat out, beside plain ffmpeg to a pipe.
  const ours = [];
  const plain = [];
  let cachedUrl;
  for (let i = 0; i < ROUNDS; i++) {
    plain.push((await plainFfmpeg(longPath, 0, true)).total);
    await waitIdle();
    // A new transcode each round: the finished ones are removed from the cache folder (the
    // service notices a vanished file at lookup).
    rmSync(join(cache, 'objects'), { recursive: true, force: true });
    execFileSync('mkdir', ['-p', join(cache, 'objects')]);
    cachedUrl = await ticket(long.id, await newUser());
    ours.push((await timedGet(cachedUrl, { readAll: true })).total);
    await waitIdle();
  }

  // 4. the cached transcode (Range endpoint) vs an original file: the same number of bytes from each
  // (a Range of the smaller file's length, so per-request costs weigh the same), requests alternating.
  for (let i = 0; i < 300; i++) {
    if ((await fetch(cachedUrl, { method: 'HEAD' })).headers.get('accept-ranges') === 'bytes') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const originalUrl = (await gql('mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: shorts[0].id }, await newUser())).requestPlayback.url;
  const sizeOf = async (url) => Number((await fetch(url, { method: 'HEAD' })).headers.get('content-length'));
  const span = Math.min(await sizeOf(cachedUrl), await sizeOf(originalUrl));
  const headers = { range: `bytes=0-${span - 1}` };
  const cachedRate = [];
  const originalRate = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < 3_000 * ROUNDS; i++) {
    const [url, into] = i % 2 ? [cachedUrl, cachedRate] : [originalUrl, originalRate];
    const r = await timedGet(url, { readAll: true, headers });
    into.push({ mbps: r.bytes / 1e6 / (r.total / 1000), size: r.bytes });
  }

  const cores = availableParallelism();
  console.log(
    `\ntranscode benchmark: ${FORMAT} ${BITRATE} kbit/s from FLAC 44.1 kHz stereo; ${cores} cores; MAX_TRANSCODES default (${cores}); ffmpeg and its anchor at nice ${NICE}; node ${process.version}`,
  );
  console.log('numbers on a shared machine: other processes compete for the same cores\n');
  console.log('measure                                     through the router (ours)        plain ffmpeg (anchor)           ratio');
  const row = (name, a, b, ratio = '') => console.log(`${name.padEnd(44)}${a.padEnd(33)}${b.padEnd(32)}${ratio}`);
  row(
    `new transcode: first byte, ${shorts.length} tracks`,
    `p50 ${f(median(newFirst))} / p95 ${f(pct(newFirst, 95))} ms`,
    `p50 ${f(median(plainFirst))} / p95 ${f(pct(plainFirst, 95))} ms`,
    `p95 ${signed(pct(newFirst, 95) - pct(plainFirst, 95))} ms`,
  );
  row('new transcode: 16 kB', `p50 ${f(median(new16k))} / p95 ${f(pct(new16k, 95))} ms`, `p50 ${f(median(plain16k))} / p95 ${f(pct(plain16k, 95))} ms`);
  row(
    `seek ?t= on a running transcode, ${SEEKS} seeks`,
    `p50 ${f(median(seekFirst))} / p95 ${f(pct(seekFirst, 95))} ms`,
    `p50 ${f(median(plainSeekFirst))} / p95 ${f(pct(plainSeekFirst, 95))} ms`,
    `p95 ${signed(pct(seekFirst, 95) - pct(plainSeekFirst, 95))} ms`,
  );
  const speed = (ms) => LONG_SECONDS / (ms / 1000);
  row(
    `throughput, ${LONG_SECONDS} s track, median of ${ROUNDS}`,
    `${f(speed(median(ours)), 1)}x realtime (${f(median(ours))} ms)`,
    `${f(speed(median(plain)), 1)}x realtime (${f(median(plain))} ms)`,
    `${f(median(plain) / median(ours), 2)}x`,
  );
  const mb = (xs) => median(xs.map((x) => x.mbps));
  row(
    `cached vs original, ${f(span / 1e6, 1)} MB x ${cachedRate.length}`,
    `${f(mb(cachedRate), 1)} MB/s cached transcode`,
    `${f(mb(originalRate), 1)} MB/s original file`,
    `${f(mb(cachedRate) / mb(originalRate), 2)}x`,
  );
  console.log('\ntargets: new transcode first byte p95 <= 250 ms; seek first byte p95 <= 300 ms; throughput >= 0.9x plain ffmpeg; cached = original rate');
} finally {
  await system.stop();
}
process.exit(0);
