import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger, type Logger } from '@ytm/logger';
import { requestContext, type RawExchange } from '../../src/index.js';

const logger = createLogger({ name: 'request-context-test', level: 'silent' });

/** An exchange whose logger counts how often it is made. */
function exchange(requestId: string): RawExchange & { made: number } {
  let log: Logger | undefined;
  const x = {
    req: {} as IncomingMessage,
    res: {} as ServerResponse,
    path: '/graphql',
    query: '',
    requestId,
    made: 0,
    get log() {
      if (!log) {
        x.made += 1;
        log = logger.child({ requestId });
      }
      return log;
    },
  };
  return x;
}

/** What Apollo Server does with a context for each operation (ApolloServer.ts, cloneObject). */
const apolloCopy = <T extends object>(o: T): T => Object.assign(Object.create(Object.getPrototypeOf(o) as object) as T, o);

describe('a request context', () => {
  it('makes its logger on first use only, also through the copies Apollo Server and the services make', () => {
    const x = exchange('req-1');
    const base = requestContext(x, { viewer: { id: 'u1' }, requestId: x.requestId });
    const service = requestContext(x, { ...base, loaders: {} });
    const copy = apolloCopy(service);
    expect(x.made).toBe(0);
    expect(copy).toMatchObject({ viewer: { id: 'u1' }, requestId: 'req-1', loaders: {} });
    expect(copy.log.bindings()).toMatchObject({ requestId: 'req-1' });
    expect(base.log).toBe(copy.log);
    expect(x.made).toBe(1);
  });

  it('keeps each request to its own fields and logger', () => {
    const [a, b] = [exchange('req-a'), exchange('req-b')];
    const ca = apolloCopy(requestContext(a, { viewer: { id: 'ua' } }));
    const cb = apolloCopy(requestContext(b, { viewer: { id: 'ub' } }));
    expect([ca.viewer.id, cb.viewer.id]).toEqual(['ua', 'ub']);
    expect(ca.log.bindings().requestId).toBe('req-a');
    expect(cb.log.bindings().requestId).toBe('req-b');
  });
});
