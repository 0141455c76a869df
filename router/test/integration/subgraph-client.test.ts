import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isUnavailableError } from '@ytm/errors';
import { SubgraphClient } from '../../src/supergraph/subgraph-client.js';

// A real HTTP server standing in for a subgraph: counts requests and connections, answers after `delayMs`.
let server: Server;
let url: string;
let requests = 0;
const sockets = new Set<unknown>();
let delayMs = 30;
const timers = new Set<NodeJS.Timeout>();
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    requests += 1;
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { echo: body, auth: req.headers.authorization ?? null } }));
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('SubgraphClient (real HTTP)', () => {
  it('shares one fetch among identical in-flight queries with the same credentials, never across credentials', async () => {
    const client = new SubgraphClient(2_000);
    requests = 0;
    const body = '{"query":"{ me { id } }"}';
    const same = await Promise.all(Array.from({ length: 10 }, () => client.post(url, { authorization: 'Bearer a' }, body, true)));
    expect(requests).toBe(1);
    expect(client.shared).toBe(9);
    expect(new Set(same.map((r) => r.text)).size).toBe(1);
    const mixed = await Promise.all([
      client.post(url, { authorization: 'Bearer a' }, body, true),
      client.post(url, { authorization: 'Bearer b' }, body, true),
      client.post(url, { authorization: 'Bearer a' }, body, false),
    ]);
    expect(requests).toBe(4);
    expect(mixed.map((r) => (JSON.parse(r.text) as { data: { auth: string } }).data.auth)).toEqual(['Bearer a', 'Bearer b', 'Bearer a']);
    // After the fetch settled, the same query goes out again (no caching beyond the flight).
    await client.post(url, { authorization: 'Bearer a' }, body, true);
    expect(requests).toBe(5);
    await client.close();
  });

  it('keeps connections alive across requests', async () => {
    const client = new SubgraphClient(2_000);
    sockets.clear();
    for (let i = 0; i < 20; i++) await client.post(url, {}, `{"n":${i}}`, false);
    expect(sockets.size).toBeLessThanOrEqual(2); // one, or a second after the server closed an idle one; not 20
    await client.close();
  });

  it('a subgraph that does not answer in time fails as unavailable', async () => {
    const client = new SubgraphClient(1_000); // undici's timers tick every 0.5 s: a timeout of a second or more
    delayMs = 3_000;
    const err = await client.post(url, {}, '{}', false).catch((e: unknown) => e);
    delayMs = 30;
    const code = (err as { code?: string }).code;
    expect(code).toBe('UND_ERR_HEADERS_TIMEOUT');
    // (jest runs tests in another realm, where undici's errors are no `Error` instances: checked by shape)
    expect(isUnavailableError(Object.assign(new Error('timeout'), { code }))).toBe(true);
    await client.close();
  });
});
