import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { createLogger } from '@ytm/logger';
import { closeServer, createApp, httpHandler, listen, listenOps } from '../../src/index.js';

// Real HTTP on loopback: a service's public app beside its ops listener.
const logger = createLogger({ name: 'ops-test', level: 'silent' });
let publicServer: Server;
let opsServer: Server;
let publicBase: string;
let opsBase: string;
let storeUp = true;

beforeAll(async () => {
  const app = createApp({
    logger,
    readiness: {
      store: async () => {
        if (!storeUp) throw new Error('connection refused');
      },
      slow: () => new Promise((resolve) => setTimeout(resolve, 10)),
    },
    readinessTimeoutMs: 500,
    health: () => ({ registrations: [{ name: 'library', instanceId: 'library-1', url: 'http://10.0.0.7:4001' }] }),
  });
  app.use((ctx) => {
    ctx.body = { path: ctx.path };
  });
  const pub = await listen(httpHandler(app), '127.0.0.1', 0);
  publicServer = pub.server;
  publicBase = `http://127.0.0.1:${pub.port}`;
  const ops = await listenOps(app.ops, { host: '127.0.0.1', port: 0 });
  opsServer = ops.server;
  opsBase = `http://127.0.0.1:${ops.port}`;
});
afterAll(async () => {
  await closeServer(publicServer, 100);
  await closeServer(opsServer, 100);
});

describe('public port', () => {
  it('answers GET /health with a bare status and nothing else', async () => {
    const res = await fetch(`${publicBase}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"ok"}');
  });

  it('does not serve /metrics or /ready (they reach the app, which knows nothing of them)', async () => {
    expect(await (await fetch(`${publicBase}/metrics`)).json()).toEqual({ path: '/metrics' });
    expect(await (await fetch(`${publicBase}/ready`)).json()).toEqual({ path: '/ready' });
  });
});

describe('ops listener', () => {
  it('serves the detailed /health', async () => {
    const body = (await (await fetch(`${opsBase}/health`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', registrations: [{ name: 'library', instanceId: 'library-1' }] });
    expect(typeof body.uptimeSeconds).toBe('number');
  });

  it('serves /ready: 200 while every check answers, 503 naming the one that does not', async () => {
    storeUp = true;
    const ok = await fetch(`${opsBase}/ready`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ready', checks: { store: 'ok', slow: 'ok' } });
    storeUp = false;
    const down = await fetch(`${opsBase}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not ready', checks: { store: 'unavailable: connection refused', slow: 'ok' } });
    storeUp = true;
  });

  it('serves Prometheus /metrics, with the public port requests counted', async () => {
    await fetch(`${publicBase}/anything`);
    const res = await fetch(`${opsBase}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/ytm_http_request_duration_seconds_count\{method="GET",route="\/anything",status="200"\} \d+/);
  });

  it('serves nothing else: 404, and 405 for other methods', async () => {
    const other = await fetch(`${opsBase}/graphql`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
    const post = await fetch(`${opsBase}/health`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
