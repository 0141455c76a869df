// TTFB probe: while the readers load the server, one idle client asks for the start of the file
// (as a player starting a track does) every `intervalMs` and times the first body byte. Its
// own event loop is idle, so the numbers are the server's latency, not the load generator's.
import http from 'node:http';

// `startAfterMs`: the readers are streaming by then (else the first samples time their own arrival).
const [url, durationMs, intervalMs = '20', startAfterMs = '0'] = [process.argv[2], Number(process.argv[3]), process.argv[4], process.argv[5]];
await new Promise((r) => setTimeout(r, Number(startAfterMs)));
const agent = new http.Agent({ keepAlive: false });
const samples = [];
let errors = 0;

function once() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent, headers: { range: 'bytes=0-65535' } }, (res) => {
      let first = true;
      res.on('data', () => {
        if (first) {
          first = false;
          samples.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      });
      res.on('end', () => {
        if (res.statusCode !== 206) errors++;
        resolve();
      });
      res.on('error', () => (errors++, resolve()));
    });
    req.on('error', () => (errors++, resolve()));
  });
}

// One untimed request first: a fresh process's first request loads and compiles the HTTP client
// (10-20 ms here, against nginx as much as ours), which is the probe's cost, not the server's.
await once();
samples.length = 0;
errors = 0;
const deadline = Date.now() + durationMs;
while (Date.now() < deadline) {
  await once();
  await new Promise((r) => setTimeout(r, Number(intervalMs)));
}
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ samples: samples.length, errors, p50: pct(50), p99: pct(99), max: samples[samples.length - 1] ?? NaN })}\n`);
