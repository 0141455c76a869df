import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import type { RawExchange } from '@ytm/http';
import { KnownOperations } from '../../src/http/known-operations.js';
import type { RouterContext } from '../../src/http/router-context.js';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../../src/limits/remembered-documents.js';
import type { DirectFetches, DirectOperation } from '../../src/supergraph/direct-fetch.js';

// KnownOperations alone (no network): a direct operation and DirectFetches stand in for the gateway's run.
const schema = buildSchema('type Query { me: User } type User { id: ID! }');
const direct = { key: 'k' } as unknown as DirectOperation;
const directFetches = { current: () => schema, answer: async () => ({ data: { me: { id: 'u1' } } }) } as unknown as DirectFetches;

/** A POST of JSON as the router's raw route hands it over; `sent` is what was answered. */
function exchange() {
  const sent: { status?: number; body?: string } = {};
  const res = {
    statusCode: 200,
    getHeader: () => 'application/json; charset=utf-8',
    writeHead: (status: number) => (sent.status = status),
    end: (body: string) => (sent.body = body),
  };
  return {
    exchange: { req: { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' } }, res } as unknown as RawExchange,
    sent,
  };
}

const context = async () => ({ viewer: { id: 'u1' }, forwardHeaders: {} }) as unknown as RouterContext;

describe('KnownOperations', () => {
  it(`remembers no document longer than ${MAX_REMEMBERED_QUERY_LENGTH} characters: Apollo Server's pipeline answers it every time`, async () => {
    const known = new KnownOperations({ directFetches, checkCost: async () => undefined, record: () => undefined });
    const hooks = (await known.plugin().requestDidStart!({} as never))!;
    /** What the plugin sees when Apollo Server's pipeline answered `query` directly without errors. */
    const answeredByPipeline = (query: string) => {
      const document = parse(query);
      return hooks.willSendResponse!({
        contextValue: { direct },
        request: { http: { method: 'POST' }, query },
        document,
        operation: document.definitions[0],
        response: { body: { kind: 'single', singleResult: { data: { me: { id: 'u1' } } } } },
      } as never);
    };
    known.learnContentType(exchange().exchange);

    const query = '{ me { id } }';
    const padded = `${query}${' '.repeat(MAX_REMEMBERED_QUERY_LENGTH)}# padding`;
    await answeredByPipeline(query);
    await answeredByPipeline(padded);
    expect(known.size).toBe(1);

    const small = exchange();
    expect(await known.answer(small.exchange, { query }, context)).toBe(true);
    expect(small.sent).toEqual({ status: 200, body: '{"data":{"me":{"id":"u1"}}}\n' });
    const long = exchange();
    expect(await known.answer(long.exchange, { query: padded }, context)).toBeUndefined();
    expect(long.sent).toEqual({});
  });
});
