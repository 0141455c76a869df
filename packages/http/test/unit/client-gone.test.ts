import { afterAll, beforeAll, expect, it } from '@jest/globals';
import http, { type Server } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@ytm/logger';
import { waitFor } from '@ytm/testing';
import { closeServer, createApp, httpHandler, listen, metricsRegistry, readJson } from '../../src/index.js';

// Real HTTP on loopback: a client that sends half a body and goes away.
let reading = false;
const lines: Array<{ level: string; msg: string; status?: number }> = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
    done();
  },
});
const logger = createLogger({ name: 'client-gone-test', level: 'info', destination });
let server: Server;
let port: number;

beforeAll(async () => {
  const app = createApp({ logger });
  app.use(async (ctx) => {
    reading = true;
    ctx.body = { got: await readJson(ctx.req, 1_000) };
  });
  ({ server, port } = await listen(httpHandler(app), '127.0.0.1', 0));
});
afterAll(() => closeServer(server, 100));

it('a client gone mid-body is recorded as 499, not logged as an error', async () => {
  const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'POST', headers: { 'content-length': '100' } });
  req.on('error', () => undefined);
  req.write('{"half":');
  await waitFor(() => reading, 5_000, 5, 'the server reading the body');
  req.destroy();
  const count = async () =>
    (await metricsRegistry.getSingleMetricAsString('ytm_http_request_duration_seconds')).match(
      /_count\{method="POST",route="\/upload",status="499"\} (\d+)/,
    )?.[1];
  await waitFor(count, 5_000, 20, 'the 499 recorded');
  expect(await count()).toBe('1');
  expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', path: '/upload', status: 499 }));
});
