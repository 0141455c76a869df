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
