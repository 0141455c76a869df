// Sign-in throughput, and the event loop's health during a sign-in storm: p99 of concurrent `me`
// queries (target ≤ 50 ms), measured by an idle probe process, without and with the storm.
//
//   npx tsc -b subgraphs/resource && node bench/resource/signin.mjs [--concurrency=32] [--duration=10000] [--cost=12]
//
// Needs FerretDB/MongoDB and Kafka (MONGODB_URL, KAFKA_BROKERS).
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { arg, dropDatabase, gql, ms, percentiles, ROOT, startResource } from './lib.mjs';

const concurrency = Number(arg('concurrency', '32'));
const durationMs = Number(arg('duration', '10000'));
const cost = arg('cost', '12');
const USERS = 32;
const PASSWORD = 'bench password 123';

const hashNice = arg('hash-nice', '19');
const hashThreads = Number(process.env.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, availableParallelism() - 1));
const resource = await startResource({ BCRYPT_COST: cost, PASSWORD_HASH_NICE: hashNice });
// The CPU-bound ceiling: one bcrypt of this cost, here, times the cores.
const { default: bcrypt } = await import(join(ROOT, 'node_modules/bcrypt/bcrypt.js'));
const hashTimes = [];
for (let i = 0; i < 3; i++) {
  const hashStarted = process.hrtime.bigint();
  bcrypt.hashSync('x'.repeat(44), Number(cost));
  hashTimes.push(Number(process.hrtime.bigint() - hashStarted) / 1e6);
}
const oneHashMs = hashTimes.sort((a, b) => a - b)[1];
const run = promisify(execFile);
const nice = arg('nice', undefined);
const probe = (token, duration) => {
  const child = run(process.execPath, [join(ROOT, 'bench/resource/me-probe.mjs'), resource.url, token, String(duration), '10']);
  if (nice !== undefined) setPriority(child.child.pid, Number(nice));
  return child.then((r) => JSON.parse(r.stdout));
};

try {
  const emails = Array.from({ length: USERS }, (_, i) => `bench-${i}-${resource.db}@ytm.test`);
  // One at a time: 32 parallel sign-ups would wait longer than the hashing queue allows.
  const sessions = [];
  for (const email of emails) {
    const r = await gql(resource.url, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
      i: { email, password: PASSWORD, displayName: 'bench' },
    });
    if (!r.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(r.errors ?? r).slice(0, 300)}`);
    sessions.push(r);
  }
  const token = sessions[0].data.signUp.accessToken;

  const idle = await probe(token, 3_000);

  const latencies = [];
  let ok = 0;
  let failed = 0;
  const failures = new Map(); // error code → count
  const stormEnd = Date.now() + durationMs;
  const worker = async (w) => {
    for (let i = 0; Date.now() < stormEnd; i++) {
      const started = process.hrtime.bigint();
      // Each worker its own client address, as separate clients would be.
      const r = await gql(
        resource.url,
        'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }',
        { e: emails[(w + i) % USERS], p: PASSWORD },
        undefined,
        {
          'x-forwarded-for': `10.1.${w}.1`,
        },
      );
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (r.data?.signIn) ok++;
      else {
        failed++;
        const code = r.errors?.[0]?.extensions?.code ?? 'no answer';
        failures.set(code, (failures.get(code) ?? 0) + 1);
      }
    }
  };
  const storm = Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  await new Promise((r) => setTimeout(r, 500)); // let the storm build up
  const during = await probe(token, durationMs - 1_500);
  await storm;

  const signIn = percentiles(latencies);
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other processes included)`,
  );
  console.log(
    `ytm-resource sign-in benchmark (bcrypt cost ${cost}, ${concurrency} concurrent clients, ${durationMs / 1000} s, ${USERS} accounts${nice === undefined ? '' : `, service and probe at nice ${nice}`})`,
  );
  console.log(
    `  one bcrypt here: ${ms(oneHashMs)} → ceiling ≈ ${((hashThreads * 1000) / oneHashMs).toFixed(1)} sign-ins/s with ${hashThreads} bcrypt thread(s) at nice ${hashNice} (PASSWORD_HASH_CONCURRENCY)`,
  );
  console.log(
    `  sign-ins: ${ok} ok, ${failed} refused${failed ? ` (${[...failures].map(([c, n]) => `${n} ${c}`).join(', ')})` : ''} → ${(ok / (durationMs / 1000)).toFixed(1)} sign-ins/s; latency p50 ${ms(signIn.p50)}, p99 ${ms(signIn.p99)}`,
  );
  console.log(`  me (idle server):        n=${idle.n} p50 ${ms(idle.p50)} p95 ${ms(idle.p95)} p99 ${ms(idle.p99)} max ${ms(idle.max)} errors ${idle.errors}`);
  console.log(
    `  me (during the storm):   n=${during.n} p50 ${ms(during.p50)} p95 ${ms(during.p95)} p99 ${ms(during.p99)} max ${ms(during.max)} errors ${during.errors}`,
  );
  console.log(`  target p99 ≤ 50 ms during the storm: ${during.p99 <= 50 ? 'met' : 'MISSED'}`);
} finally {
  await resource.stop();
  await dropDatabase(resource.db).catch(() => undefined);
}
