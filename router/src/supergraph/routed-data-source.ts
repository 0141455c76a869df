import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { currentTraceparent } from '@ytm/trace';
import type { SubgraphRouting } from './subgraph-routing.js';
import type { SubgraphClient, SubgraphResponse } from './subgraph-client.js';
import type { RouterContext } from '../http/router-context.js';

/** Headers the router passes on to subgraphs; everything else stays at the edge. */
const FORWARDED = ['authorization', 'x-request-id', 'tracestate', 'x-forwarded-for'] as const;
/** Requests differing only in these share a fetch (the first caller's are sent). */
const PER_REQUEST = new Set(['x-request-id', 'traceparent', 'tracestate', 'x-forwarded-for']);
/** Part of the dedupe key (with the URL and body) or the same for every request. */
const SHARED = new Set(['authorization', 'content-type']);

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * A subgraph fetch that picks the live instance per request, forwards the caller's Authorization
 * (each subgraph verifies it again), carries a hard timeout and goes out on the pooled client.
 * Queries with the same credentials and body in flight at once share one fetch; no fetch of a
 * mutation's request does (`RouterContext.mutation`: the entity fetches after its write are queries
 * that must read what it wrote, not what an identical request in flight read before it).
 * A fetch that could not reach its instance is retried on another one; a mutation only when it
 * certainly was never sent.
 *
 * A fetch `DirectFetches` already made for the request (`RouterContext.prefetched`, the same
 * operation and variables) is answered from it once instead of being sent again.
 *
 * It does what the gateway's RemoteGraphQLDataSource does with a fetch (the same request body,
 * errors for a non-2xx answer or a body that is not JSON, the subgraph's Cache-Control restricting
 * the response's cache policy) without building WHATWG Headers and Request objects per fetch.
 */
export class RoutedDataSource implements GraphQLDataSource<RouterContext> {
  constructor(
    private readonly subgraph: string,
    private readonly fallbackUrl: string,
    private readonly routing: SubgraphRouting,
    private readonly client: SubgraphClient,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayResponse> {
    const context = options.context as RouterContext | undefined;
    if (context?.prefetched?.length) {
      // Made by DirectFetches before this request fell back to the gateway's execution: each used once, never sent again.
      const variables = JSON.stringify(options.request.variables ?? {});
      const i = context.prefetched.findIndex((p) => p.operation === options.request.query && p.variables === variables);
      if (i >= 0) {
        const { outcome } = context.prefetched.splice(i, 1)[0]!;
        if ('error' in outcome) throw outcome.error;
        return outcome.response;
      }
    }
    return this.responseOf(options, await this.send(options));
  }

  /**
   * A fetch whose answer the client gets as it is (a direct run's pass-through plan): the body as
   * the subgraph sent it when it is data and nothing else (`{"data":{…}}` and a newline: what the
   * router's own serialisation of that data writes, byte for byte), else the answer as `process` reads it.
   */
  async processData(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<{ body: Buffer } | { response: GatewayResponse }> {
    const response = await this.send(options);
    if (isDataOnly(response)) return { body: response.body };
    return { response: this.responseOf(options, response) };
  }

  /** Sends the request (the caller's credentials and trace with it); a non-2xx answer is an error. */
  private async send(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const context = options.context as RouterContext | undefined;
    const headers: Record<string, string> = {};
    // Headers the gateway itself asks for (a federated trace when usage reporting is on).
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    const traceparent = currentTraceparent();
    if (traceparent) headers.traceparent = traceparent;
    const incoming = context?.forwardHeaders;
    if (incoming) {
      for (const name of FORWARDED) {
        const value = incoming[name];
        if (value) headers[name] = value;
      }
    }
    const { query, variables, operationName, extensions } = request;
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const mutation = /^\{"query":"\s*mutation\b/.test(body);
    let dedupe = !mutation && context?.mutation !== true;
    for (const name in headers) if (!PER_REQUEST.has(name) && !SHARED.has(name)) dedupe = false;
    const url = this.routing.graphqlUrl(this.subgraph, this.fallbackUrl);
    const response = await this.fetch(url, headers, body, dedupe, mutation);
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(response);
    return response;
  }

  /** The answer as the gateway reads it: the parsed body (the subgraph's Cache-Control restricting the response's policy). */
  private responseOf(options: GraphQLDataSourceProcessOptions<RouterContext>, response: SubgraphResponse): GatewayResponse {
    const parsed = parseBody(response);
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    if ('incomingRequestContext' in options) restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, response);
    return parsed;
  }

  /**
   * A refused connection (an instance that died) is retried once on another live instance; a query
   * also after a reset or closed socket, a mutation not (`unsentOnly`: the subgraph may have read
   * it and written before the socket went, and a write is not made twice).
   */
  private async fetch(url: string, headers: Record<string, string>, body: string, dedupe: boolean, unsentOnly: boolean): Promise<SubgraphResponse> {
    try {
      return await this.client.post(url, headers, body, dedupe);
    } catch (err) {
      const alternative = isConnectionFailure(err, unsentOnly) ? this.routing.alternativeGraphqlUrl(this.subgraph, url) : undefined;
      if (!alternative) throw err;
      return this.client.post(alternative, headers, body, dedupe);
    }
  }
}

const DATA_START = Buffer.from('{"data":{');
const DATA_END = Buffer.from('}\n');
const ERRORS_KEY = Buffer.from('"errors":');
const EXTENSIONS_KEY = Buffer.from('"extensions":');

/**
 * A JSON answer that is an object of data and nothing else. Inside a JSON string every `"` is
 * escaped, so `"errors":` or `"extensions":` can only be a key: none anywhere (a field aliased so
 * included) means neither at the top. The subgraph's JSON is trusted as it is (it is our own
 * service's, authenticated, and ends as a whole answer does).
 */
function isDataOnly(r: SubgraphResponse): boolean {
  if (!isJson(r)) return false;
  const { body } = r;
  return (
    body.length > DATA_START.length + DATA_END.length &&
    body.subarray(0, DATA_START.length).equals(DATA_START) &&
    body.subarray(body.length - DATA_END.length).equals(DATA_END) &&
    body.indexOf(ERRORS_KEY) < 0 &&
    body.indexOf(EXTENSIONS_KEY) < 0
  );
}

/** JSON when the subgraph says so, else the text (as RemoteGraphQLDataSource reads a body). */
function parseBody(r: SubgraphResponse): unknown {
  return isJson(r) ? JSON.parse(r.text) : r.text;
}

/** Whether the subgraph says its answer is JSON. */
function isJson(r: SubgraphResponse): boolean {
  const type = r.headers.get('content-type');
  return !!type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));
}

/** Statuses whose meaning the client gets as a code; any other non-2xx answer is masked at the edge. */
const CODED_STATUS: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 503: 'SERVICE_UNAVAILABLE' };

/**
 * The error of a non-2xx answer. 401, 403 and 503 pass to the client with the subgraph's own
 * message and `retryAfter` and nothing else (never the subgraph's internal URL or body); any other
 * status keeps its body in `extensions.response`, as RemoteGraphQLDataSource does, masked at the edge.
 */
function errorFromResponse(r: SubgraphResponse): GraphQLError {
  let body: unknown;
  try {
    body = parseBody(r);
  } catch {
    body = r.text;
  }
  const code = CODED_STATUS[r.status];
  if (code) {
    const first = (body as { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> } | null)?.errors?.[0];
    const said = first?.extensions?.code === code && typeof first.message === 'string';
    const retryAfter = said ? first.extensions?.retryAfter : undefined;
    return new GraphQLError(said ? (first.message as string) : `${r.status}: `, {
      extensions: { code, ...(typeof retryAfter === 'number' ? { retryAfter } : {}) },
    });
  }
  return new GraphQLError(`${r.status}: `, { extensions: { response: { url: r.url, status: r.status, statusText: '', body } } });
}

/** The subgraph's Cache-Control restricts the whole response's cache policy (as in RemoteGraphQLDataSource). */
function restrictCachePolicy(policy: unknown, r: SubgraphResponse): void {
  if (!policy || typeof (policy as { restrict?: unknown }).restrict !== 'function') return;
  const header = r.headers.get('cache-control');
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  for (const part of header ? header.trim().split(/\s*,\s*/) : []) {
    const [name, raw] = part.split(/\s*=\s*/, 2) as [string, string | undefined];
    const value = raw?.replace(/^"|"$/g, '');
    if (name === 'max-age' && value !== undefined && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private' && raw === undefined) hint.scope = 'PRIVATE';
    else if (name === 'public' && raw === undefined) hint.scope = 'PUBLIC';
  }
  (policy as { restrict(hint: unknown): void }).restrict(hint);
}

/**
 * A connection failure; `unsentOnly`: only one that certainly kept the request from being sent, a
 * refused connection (TCP reports ECONNREFUSED only for a connection that never opened; undici
 * writes no request before its socket connected). A reset or closed socket (ECONNRESET,
 * UND_ERR_SOCKET) may come after the subgraph read the request, and EHOSTUNREACH may also end a
 * connection that was open.
 */
function isConnectionFailure(err: unknown, unsentOnly: boolean): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED') return true;
  return !unsentOnly && (code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET');
}
