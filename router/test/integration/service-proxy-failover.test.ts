import { describe, expect, it } from '@jest/globals';
import net, { type AddressInfo } from 'node:net';
import { createApp } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { serviceProxy } from '../../src/http/service-proxy.js';
import { serversClosedAfterEach } from './http-servers.js';

// The router's HTTP relay (/art, /stream, ...) over real sockets when an instance cannot be reached
// (it refuses connections: its process is gone, its lease not yet expired) or does not answer.
const listen = serversClosedAfterEach();

/** An address that refuses connections: a port that was listened on and closed. */
async function refusing(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function relay(first: string, others: string[], options: { headersTimeoutMs?: number } = {}) {
  const asked: Array<[string, string]> = [];
  const app = createApp({ logger: createLogger({ name: 'test', level: 'silent' }) });
  app.use(
    serviceProxy({
      routes: [
        { prefix: '/art/', service: 'library', methods: ['GET', 'HEAD'] },
        { prefix: '/auth/', service: 'resource', methods: ['POST'] },
      ],
      target: () => first,
      alternative: (service, failed) => {
        asked.push([service, failed]);
        return others.shift();
      },
      headersTimeoutMs: options.headersTimeoutMs ?? 5_000,
    }),
  );
  return { url: await listen(app.callback()), asked };
}

const live = () => listen((req, res) => res.end(`answered ${req.method} ${req.url}`));

describe('the HTTP relay when an instance cannot be reached', () => {
  it('tries a GET that met a refused connection once on another instance, naming the failed one', async () => {
    const dead = await refusing();
    const { url, asked } = await relay(dead, [await live()]);
    const res = await fetch(`${url}/art/abc?size=64`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('answered GET /art/abc?size=64');
    expect(asked).toEqual([['library', dead]]);
  });

  it('answers 502 BAD_GATEWAY when the refusing instance is the only one', async () => {
    const { url, asked } = await relay(await refusing(), []);
    const res = await fetch(`${url}/art/abc`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { code: 'BAD_GATEWAY', message: 'library did not answer' } });
    expect(asked).toHaveLength(1);
  });

  it('never replays a POST (its body is gone): 502, no other instance asked', async () => {
    const { url, asked } = await relay(await refusing(), [await live()]);
    const res = await fetch(`${url}/auth/refresh`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(502);
    expect(asked).toEqual([]);
  });

  it('does not retry an instance that took the request and did not answer in time (504 after the headers timeout)', async () => {
    let requests = 0;
    const silent = await listen(() => {
      requests += 1; // takes the request, never answers
    });
    const { url, asked } = await relay(silent, [await live()], { headersTimeoutMs: 400 });
    const res = await fetch(`${url}/art/abc`);
    expect(res.status).toBe(504);
    expect(requests).toBe(1);
    expect(asked).toEqual([]);
  });

  it('sends a GET again on a new connection when a kept-alive one was closed by the instance (no other instance asked)', async () => {
    const served = new WeakSet<object>();
    let requests = 0;
    // Closes a connection that already served a request when the next one arrives on it, as an
    // instance whose idle timeout just ran out does.
    const closing = await listen((req, res) => {
      requests += 1;
      if (served.has(req.socket)) return void req.socket.destroy();
      served.add(req.socket);
      res.end('fresh');
    });
    const { url, asked } = await relay(closing, []);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/art/abc`);
      expect([res.status, await res.text()]).toEqual([200, 'fresh']);
    }
    expect(requests).toBe(3);
    expect(asked).toEqual([]);
  });
});
