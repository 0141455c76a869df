import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { currentTraceparent } from '@ytm/trace';
import type { SubgraphRouting } from './subgraph-routing.js';
import type { SubgraphClient, SubgraphResponse } from './subgraph-client.js';
import type { RouterContext } from '../http/router-context.js';

/** Headers the router passes on to subgraphs; everything else stays at the edge. */
const FORWARDED = ['authorization', 'x-request-id', 'tracestate', 'x-forwarded-for'];
/** Requests differing only in these share a fetch (the first caller's are sent). */
const PER_REQUEST = new Set(['x-request-id', 'traceparent', 'tracestate', 'x-forwarded-for']);
/** Part of the dedupe key (with the URL and body) or the same for every request. */
const SHARED = new Set(['authorization', 'content-type']);

/**
 * A subgraph fetch that picks the live instance per request, forwards the caller's Authorization
 * (each subgraph verifies it again), carries a hard timeout and goes out on the pooled client.
 * Queries with the same credentials and body in flight at once share one fetch; mutations never do.
 */
export class RoutedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    private readonly subgraph: string,
    private readonly fallbackUrl: string,
    private readonly routing: SubgraphRouting,
    private readonly client: SubgraphClient,
  ) {
    super({ url: fallbackUrl, fetcher: ((url: string, init: { headers: Record<string, string>; body: string }) => this.send(url, init)) as never });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    if (!request.http) return;
    (request.http as { url: string }).url = this.routing.graphqlUrl(this.subgraph, this.fallbackUrl);
    const traceparent = currentTraceparent();
    if (traceparent) request.http.headers.set('traceparent', traceparent);
    const incoming: Record<string, string> | undefined = (context as RouterContext | undefined)?.forwardHeaders;
    if (!incoming) return;
    for (const name of FORWARDED) {
      const value = incoming[name];
      if (value) request.http.headers.set(name, value);
    }
  }

  /**
   * The gateway's fetcher: the pooled client, answering with what RemoteGraphQLDataSource reads of a
   * fetch Response. The gateway writes the body as `{"query": …}` first, so a mutation is known by its start.
   */
  private async send(url: string, init: { headers: Record<string, string>; body: string }): Promise<unknown> {
    const mutation = /^\{"query":"\s*mutation\b/.test(init.body);
    const dedupe = !mutation && Object.keys(init.headers).every((h) => PER_REQUEST.has(h.toLowerCase()) || SHARED.has(h.toLowerCase()));
    return asFetchResponse(await this.fetch(url, init.headers, init.body, dedupe));
  }

  /** A refused connection (an instance that died) is retried once on another live instance. */
  private async fetch(url: string, headers: Record<string, string>, body: string, dedupe: boolean): Promise<SubgraphResponse> {
    try {
      return await this.client.post(url, headers, body, dedupe);
    } catch (err) {
      const alternative = isConnectionFailure(err) ? this.routing.alternativeGraphqlUrl(this.subgraph, url) : undefined;
      if (!alternative) throw err;
      return this.client.post(alternative, headers, body, dedupe);
    }
  }
}

/** What RemoteGraphQLDataSource reads of a fetch Response. */
function asFetchResponse(r: SubgraphResponse) {
  return {
    url: r.url,
    status: r.status,
    statusText: '',
    ok: r.status >= 200 && r.status < 300,
    headers: r.headers,
    text: async () => r.text,
    json: async (): Promise<unknown> => JSON.parse(r.text),
  };
}

function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET';
}
