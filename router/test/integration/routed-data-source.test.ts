import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { RegistryService } from '../../src/registry/registry.service.js';
import { RoutedDataSource } from '../../src/supergraph/routed-data-source.js';
import { SubgraphClient } from '../../src/supergraph/subgraph-client.js';
import { SubgraphRouting } from '../../src/supergraph/subgraph-routing.js';
import type { RouterContext } from '../../src/http/router-context.js';
import { serversClosedAfterEach } from './http-servers.js';

const listen = serversClosedAfterEach();

/** A data source in front of a real HTTP server that answers every request with `body` (and `type`, `status`). */
async function sourceAnswering(body: string, type = 'application/json; charset=utf-8', status = 200) {
  const base = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  const client = new SubgraphClient(2_000);
  const source = new RoutedDataSource('resource', `${base}/graphql`, new SubgraphRouting(new RegistryService(), {}), client);
  return { source, close: () => client.close() };
}

/** An address that refuses connections: a port that was listened on and closed. */
async function refusing(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const options = {
  kind: 'incoming operation',
  request: { query: '{me{id}}', variables: {} },
  incomingRequestContext: {},
  context: { forwardHeaders: {} },
} as unknown as GraphQLDataSourceProcessOptions<RouterContext>;

describe('RoutedDataSource.processData (real HTTP)', () => {
  it('passes on, byte for byte, an answer that is data and nothing else', async () => {
    const body = '{"data":{"me":{"id":"u1","name":"Dee \\"errors\\": \\\\ é 🎵"}}}\n';
    const { source, close } = await sourceAnswering(body);
    const answer = await source.processData(options);
    expect('body' in answer && answer.body.toString('utf8')).toBe(body);
    await close();
  });

  it.each([
    { name: 'errors beside data', body: '{"errors":[{"message":"no"}],"data":{"me":null}}\n' },
    { name: 'extensions after data', body: '{"data":{"me":{"id":"u1"}},"extensions":{"x":1}}\n' },
    { name: 'a field aliased errors', body: '{"data":{"me":{"errors":"u1"}}}\n' },
    { name: 'null data', body: '{"data":null}\n' },
    { name: 'no closing newline', body: '{"data":{"me":{"id":"u1"}}}' },
  ])('reads, as process does, an answer with $name', async ({ body }) => {
    const { source, close } = await sourceAnswering(body);
    expect(await source.processData(options)).toEqual({ response: JSON.parse(body) });
    await close();
  });

  it('fails, as process does, on a body that is not JSON or a status that is not 2xx', async () => {
    const text = await sourceAnswering('{"data":{"me":{"id":"u1"}}}\n', 'text/plain');
    await expect(text.source.processData(options)).rejects.toThrow('Expected JSON response body');
    await text.close();
    const failing = await sourceAnswering('{"data":{"me":{"id":"u1"}}}\n', 'application/json', 500);
    await expect(failing.source.processData(options)).rejects.toThrow('500: ');
    await failing.close();
  });
});

describe('RoutedDataSource when an instance fails mid-request (real HTTP)', () => {
  /** The bodies each instance received: `cutting` reads the request, then destroys the socket without an answer (it may have acted on it). */
  async function twoInstances(first: 'cutting' | 'refusing') {
    const received = { cutting: [] as string[], answering: [] as string[] };
    const read = (req: http.IncomingMessage, done: (body: string) => void) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => done(body));
    };
    const cutting = await listen((req) =>
      read(req, (body) => {
        received.cutting.push(body);
        req.socket.destroy();
      }),
    );
    const answering = await listen((req, res) =>
      read(req, (body) => {
        received.answering.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data":{"ok":true}}\n');
      }),
    );
    const registry = new RegistryService();
    // Registered first, so the first one asked.
    const firstUrl = first === 'cutting' ? cutting : await refusing();
    for (const [instanceId, base] of [
      ['r1', firstUrl],
      ['r2', answering],
    ] as const) {
      registry.register({ name: 'resource', instanceId, graphqlUrl: `${base}/graphql`, httpUrl: base, sdl: 'type Query { a: Int }', version: '1' });
    }
    const client = new SubgraphClient(2_000);
    const source = new RoutedDataSource('resource', 'http://127.0.0.1:9/graphql', new SubgraphRouting(registry, {}), client);
    return { source, received, close: () => client.close() };
  }
  const request = (query: string) => ({ ...options, request: { query, variables: {} } }) as GraphQLDataSourceProcessOptions<RouterContext>;

  it('does not send a mutation again after its connection was cut once sent: the client gets the error', async () => {
    const { source, received, close } = await twoInstances('cutting');
    const error = await source.process(request('mutation { like(id: "1") { id } }')).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(received.cutting).toHaveLength(1);
    expect(received.answering).toHaveLength(0);
    await close();
  });

  it('tries a query whose connection was cut once more on another instance', async () => {
    const { source, received, close } = await twoInstances('cutting');
    expect(await source.process(request('{ me { id } }'))).toEqual({ data: { ok: true } });
    expect(received.cutting).toHaveLength(1);
    expect(received.answering).toHaveLength(1);
    await close();
  });

  it('tries a mutation that met a refused connection (never sent) on another instance', async () => {
    const { source, received, close } = await twoInstances('refusing');
    expect(await source.process(request('mutation { like(id: "1") { id } }'))).toEqual({ data: { ok: true } });
    expect(received.answering).toHaveLength(1);
    await close();
  });
});
