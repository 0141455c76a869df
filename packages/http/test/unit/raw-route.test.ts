import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, type Server } from 'node:http';
import { createLogger } from '@ytm/logger';
import { currentTrace } from '@ytm/trace';
import { closeServer, createApp, httpHandler, listen, metricsRegistry, rawRoute, sendJson, type RawExchange } from '../../src/index.js';

// Real HTTP on loopback: a raw route in front of a real Koa app.
const logger = createLogger({ name: 'raw-route-test', level: 'silent' });
let server: Server;
let base: string;
const seen: Array<{ path: string; query: string; traceId: string | undefined }> = [];

async function handle(x: RawExchange): Promise<void> {
  seen.push({ path: x.path, query: x.query, traceId: currentTrace()?.traceId });
  await Promise.resolve();
  if (x.path === '/raw/throw') throw new Error('secret detail');
  if (x.path === '/raw/throw-late') {
    x.res.writeHead(200, { 'content-length': '100' });
    await new Promise((resolve) => x.res.write('partial', resolve));
    throw new Error('failed mid-body');
  }
  sendJson(x.res, 200, { path: x.path }, { 'cache-control': 'no-store' });
}

beforeAll(async () => {
  const app = createApp({ logger });
  ({ server } = await listen(httpHandler(app, [rawRoute({ logger, prefix: '/raw/', route: '/raw', logPath: '/raw/[id]', handle })]), '127.0.0.1', 0));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => closeServer(server, 100));

describe('raw routes', () => {
  it('serve their prefix; everything else reaches the app', async () => {
    const raw = await fetch(`${base}/raw/abc?track=t1`);
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ path: '/raw/abc' });
    expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(seen.at(-1)).toMatchObject({ path: '/raw/abc', query: 'track=t1' });
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('take absolute-form request targets by their path', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/`, { path: `${base}/raw/abs?x=1` }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toEqual({ status: 200, body: JSON.stringify({ path: '/raw/abs' }) });
    expect(seen.at(-1)).toMatchObject({ path: '/raw/abs', query: 'x=1' });
  });

  it('echo a well-formed request id and replace a malformed one', async () => {
    expect((await fetch(`${base}/raw/a`, { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    const replaced = (await fetch(`${base}/raw/a`, { headers: { 'x-request-id': 'bad id; with spaces' } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("run in the caller's trace", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${base}/raw/t`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(seen.at(-1)?.traceId).toBe(traceId);
  });

  it('answer a handler error with a JSON 500 and no internals', async () => {
    const res = await fetch(`${base}/raw/throw`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', requestId: res.headers.get('x-request-id') },
    });
    expect(body).not.toContain('secret');
  });

  it('cut the connection when the handler fails after the headers went out', async () => {
    const res = await fetch(`${base}/raw/throw-late`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('send HEAD answers without a body', async () => {
    const res = await fetch(`${base}/raw/h`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify({ path: '/raw/h' })));
    expect(await res.text()).toBe('');
  });

  it('count in the request-duration metric under their route label, never the path', async () => {
    await fetch(`${base}/raw/secret-ticket`);
    const text = await metricsRegistry.getSingleMetricAsString('ytm_http_request_duration_seconds');
    expect(text).toMatch(/route="\/raw"/);
    expect(text).not.toContain('secret-ticket');
  });
});
