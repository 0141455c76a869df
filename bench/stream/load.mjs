// Load generator: `concurrency` readers, each downloading the URL in a loop (keep-alive) until
// the duration is over; measures time to first body byte and total bytes. Prints one JSON line.
import http from 'node:http';

const [url, concurrency, durationMs, expectedBytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const ttfb = [];
let bytes = 0;
let requests = 0;
const errors = {};
const fail = (why) => (errors[why] = (errors[why] ?? 0) + 1);

function once() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let first = true;
    let got = 0;
    const req = http.get(url, { agent }, (res) => {
      if (res.statusCode !== 200) fail(`status ${res.statusCode}`);
      res.on('data', (chunk) => {
        if (first) {
          first = false;
          ttfb.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        got += chunk.length;
      });
      res.on('end', () => {
        if (got !== expectedBytes) fail('short body');
        bytes += got;
        requests++;
        resolve();
      });
      res.on('error', (e) => {
        fail(e.code ?? e.message);
        resolve();
      });
    });
    req.on('error', (e) => {
      fail(e.code ?? e.message);
      resolve();
    });
  });
}

const t0 = Date.now();
const deadline = t0 + durationMs;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    do await once();
    while (Date.now() < deadline);
  }),
);
const elapsed = (Date.now() - t0) / 1000;
ttfb.sort((a, b) => a - b);
const pct = (p) => ttfb[Math.min(ttfb.length - 1, Math.floor((p / 100) * ttfb.length))] ?? NaN;
agent.destroy();
process.stdout.write(`${JSON.stringify({ requests, bytes, elapsed, mbPerSec: bytes / 1e6 / elapsed, ttfbP50: pct(50), ttfbP99: pct(99), errors })}\n`);
