// Closed-loop load for bench/router, in its own process: `node load.mjs <json file>` with
// { url, requests: [{ body, token }], connections, durationMs }. Each connection (one keep-alive
// socket) sends its next request (round robin over `requests`) as soon as the previous answer is in.
// Requests are encoded once up front and answers parsed no further than HTTP/1.1 framing needs, so
// the load itself takes little of the CPU the gateways share with it. Prints one JSON line.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const { url, requests, connections, durationMs } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const target = new URL(url);
const port = Number(target.port || 80);
const encoded = requests.map((r) => {
  const body = Buffer.from(r.body);
  const head =
    `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\n` +
    `${r.token ? `authorization: Bearer ${r.token}\r\n` : ''}content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
});
const ERRORS = Buffer.from('"errors"');
const latencies = [];
let errors = 0;
let next = 0;
const deadline = Date.now() + durationMs;

/** One parsed answer in `buf` from `start`: its end and whether it is a 200 without errors, or null when incomplete. */
function parse(buf) {
  const headEnd = buf.indexOf('\r\n\r\n', 0, 'latin1');
  if (headEnd < 0) return null;
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) {
    const end = headEnd + 4 + Number(length[1]);
    if (buf.length < end) return null;
    return { end, ok: status === 200 && buf.subarray(headEnd + 4, end).indexOf(ERRORS) < 0 };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/.test(head)) throw new Error(`an answer without length: ${head.split('\r\n')[0]}`);
  const chunks = [];
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return null;
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (buf.length < lineEnd + 2 + size + 2) return null;
    if (size === 0) return { end: lineEnd + 4, ok: status === 200 && Buffer.concat(chunks).indexOf(ERRORS) < 0 };
    chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** One keep-alive socket, sending until the deadline; resolves when it is done or lost (counted as an error if an answer was due). */
function socketRun() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.hostname, port, noDelay: true });
    let pending = Buffer.alloc(0);
    let started = 0n;
    let waiting = false;
    let connected = false;
    const send = () => {
      if (Date.now() >= deadline) {
        socket.end();
        return;
      }
      started = process.hrtime.bigint();
      waiting = true;
      socket.write(encoded[next++ % encoded.length]);
    };
    socket.on('connect', () => {
      connected = true;
      send();
    });
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const answer = parse(pending);
      if (!answer) return;
      waiting = false;
      pending = pending.subarray(answer.end);
      if (answer.ok) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      else errors += 1;
      send();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (waiting || !connected) errors += 1;
      // Refused: try again shortly rather than in a tight loop.
      if (connected) resolve();
      else setTimeout(resolve, 50);
    });
  });
}

async function connection() {
  while (Date.now() < deadline) await socketRun();
}

const started = Date.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: connections }, connection));
const seconds = (Date.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, rps: latencies.length / seconds, p50: pct(50), p99: pct(99), errors, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);
