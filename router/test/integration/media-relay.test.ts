import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createApp } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { MediaPacer } from '../../src/http/media-pacer.js';
import { serviceProxy } from '../../src/http/service-proxy.js';
import { serversClosedAfterEach } from './http-servers.js';

// The router's paced relay over real HTTP: an upstream "stream" server, the proxy in a Koa app.
const BODY = randomBytes(3 * 1024 * 1024);
const listen = serversClosedAfterEach();

async function startPair(bytesPerSecond: number) {
  const upstreamClosed: boolean[] = [];
  const upstream = await listen((req, res) => {
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const [start, end] = range ? [Number(range[1]), Number(range[2])] : [0, BODY.length - 1];
    res.writeHead(range ? 206 : 200, { 'content-length': end - start + 1, 'content-type': 'audio/mpeg' });
    const slot = upstreamClosed.push(false) - 1;
    // The router's agent keeps finished connections open: a closed one is a request it gave up.
    req.socket.on('close', () => (upstreamClosed[slot] = true));
    res.end(BODY.subarray(start, end + 1));
  });
  const pacer = new MediaPacer(bytesPerSecond);
  const app = createApp({ logger: createLogger({ name: 'test', level: 'silent' }) });
  app.use(
    serviceProxy({
      routes: [{ prefix: '/stream/', service: 'stream', methods: ['GET'], paced: true }],
      target: () => upstream,
      headersTimeoutMs: 2_000,
      pacer,
    }),
  );
  const router = await listen(app.callback());
  return { router, pacer, upstreamClosed };
}

/** The pacer counts no transfer within 2 s. */
async function settled(pacer: MediaPacer): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (pacer.transfers !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(pacer.transfers).toBe(0);
}

const sha = (b: Buffer | ArrayBuffer) =>
  createHash('sha256')
    .update(Buffer.from(b as ArrayBuffer))
    .digest('hex');

describe('paced media relay', () => {
  it('relays every byte, at no more than the media rate', async () => {
    const { router, pacer } = await startPair(20_000_000); // 3 MiB at 20 MB/s ≥ ~157 ms
    const started = performance.now();
    const res = await fetch(`${router}/stream/t`);
    const body = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BODY.length));
    expect(sha(body)).toBe(sha(BODY));
    expect(ms).toBeGreaterThan(120); // minus at most 20 ms of credit and the unpaced first chunk
    // The relay lets go once the response has finished on its side, which can be just after the client has every byte.
    await settled(pacer);
  });

  it('passes Range through and shares the rate between transfers', async () => {
    const { router, pacer } = await startPair(20_000_000);
    const [a, b] = await Promise.all([
      fetch(`${router}/stream/a`, { headers: { range: 'bytes=0-1048575' } }),
      fetch(`${router}/stream/b`, { headers: { range: 'bytes=1048576-2097151' } }),
    ]);
    expect([a.status, b.status]).toEqual([206, 206]);
    const [ba, bb] = await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
    expect(sha(ba)).toBe(sha(BODY.subarray(0, 1048576)));
    expect(sha(bb)).toBe(sha(BODY.subarray(1048576, 2097152)));
    // The relay lets go once the response has finished on its side, which can be just after the client has every byte.
    await settled(pacer);
  });

  it('a client that leaves mid-transfer releases its share and the upstream request', async () => {
    const { router, pacer, upstreamClosed } = await startPair(2_000_000); // 3 MiB would take 1.5 s
    const res = await fetch(`${router}/stream/t`);
    const reader = res.body!.getReader();
    await reader.read();
    expect(pacer.transfers).toBe(1);
    await reader.cancel();
    const deadline = Date.now() + 3_000;
    while ((pacer.transfers !== 0 || upstreamClosed[0] !== true) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pacer.transfers).toBe(0);
    expect(upstreamClosed[0]).toBe(true);
  });
});
