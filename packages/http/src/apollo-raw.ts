import type { ApolloServer, BaseContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { DomainError } from '@ytm/errors';
import type { Logger } from '@ytm/logger';
import { domainErrorAnswer } from './app.js';
import { readJson } from './body.js';
import { sendJson, type RawExchange } from './raw-route.js';

export interface ServeApolloOptions<C extends BaseContext> {
  context: () => Promise<C>;
  /** The request's body as `readGraphQLBody` read it. */
  body: unknown;
}

/**
 * The body of one GraphQL-over-HTTP request on a raw route, read within its limit (JSON for a POST,
 * nothing for another method). A body too large or malformed is answered like any YTM route's
 * client error, and so is nothing (`undefined`); a client that went away gets no answer.
 */
export async function readGraphQLBody(exchange: RawExchange, bodyLimitBytes: number): Promise<{ body: unknown } | undefined> {
  const { req, res } = exchange;
  if ((req.method ?? 'GET').toUpperCase() !== 'POST') return { body: undefined };
  try {
    return { body: await readJson(req, bodyLimitBytes) };
  } catch (err) {
    if (req.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
      // The client went away before its request body arrived: nobody to answer, nothing went wrong here.
      res.statusCode = 499;
      return undefined;
    }
    if (!(err instanceof DomainError)) throw err;
    const answer = domainErrorAnswer(err);
    const headers: Record<string, string> = answer.retryAfter !== undefined ? { 'retry-after': String(answer.retryAfter) } : {};
    // The rest of a refused body is not read: end the connection rather than drain it.
    if (!req.complete) headers.connection = 'close';
    sendJson(res, answer.status, answer.body, headers);
    return undefined;
  }
}

/**
 * One GraphQL-over-HTTP request served by Apollo Server on the raw request and response (a raw
 * route's exchange, no Koa; its body read by `readGraphQLBody`): Apollo's status, headers and body
 * written back.
 */
export async function serveApollo<C extends BaseContext>(server: ApolloServer<C>, exchange: RawExchange, options: ServeApolloOptions<C>): Promise<void> {
  const { req, res } = exchange;
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const search = exchange.query ? `?${exchange.query}` : '';
  const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers, search, body: options.body }, context: options.context });
  res.statusCode = response.status ?? 200;
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (response.body.kind === 'complete') {
    const payload = response.body.string;
    res.setHeader('content-length', String(Buffer.byteLength(payload)));
    // A string, not a Buffer: Node writes the head and the body in one write, without a copy.
    if (method === 'HEAD') res.end();
    else res.end(payload);
    return;
  }
  // Incremental delivery: chunks as they come.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

const EXCHANGE = Symbol('ytm.exchange');
/** `log` on the prototype: Apollo Server copies a context's own properties for each operation (which would call a getter there). */
const lazyLog = {
  get log(): Logger {
    return (this as unknown as { [EXCHANGE]: RawExchange })[EXCHANGE].log;
  },
};

/**
 * A GraphQL context for one request: `fields` and a `log` bound to the request id that is made on
 * first use (most requests log nothing but the access line), also in the copies Apollo Server and
 * the services make of it (they keep the own symbol property the getter reads).
 */
export function requestContext<T extends object>(exchange: RawExchange, fields: T): T & { readonly log: Logger } {
  return Object.assign(Object.create(lazyLog) as { readonly log: Logger }, fields, { [EXCHANGE]: exchange });
}
