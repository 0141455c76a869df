// Closed-loop load for bench/router, in its own process: `node load.mjs <json file>` with
// { url, requests: [{ body, token }], connections, durationMs }. Each connection sends its next
// request (round robin over `requests`) as soon as the previous answer is in. Prints one JSON line.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const { url, requests, connections, durationMs } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];
let errors = 0;
let next = 0;
const deadline = Date.now() + durationMs;

function send(r) {
  return new Promise((resolve) => {
    const body = Buffer.from(r.body);
    const started = process.hrtime.bigint();
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, ...(r.token ? { authorization: `Bearer ${r.token}` } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ok = res.statusCode === 200 && !Buffer.concat(chunks).toString().includes('"errors"');
          if (ok) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          else errors += 1;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end(body);
  });
}

async function worker() {
  while (Date.now() < deadline) await send(requests[next++ % requests.length]);
}
const started = Date.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: connections }, worker));
const seconds = (Date.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, rps: latencies.length / seconds, p50: pct(50), p99: pct(99), errors, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);
agent.destroy();
