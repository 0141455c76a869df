import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { currentTraceparent } from '@ytm/trace';
import type { SubgraphRouting } from './subgraph-routing.js';
import type { RouterContext } from '../http/router-context.js';

/** Headers the router passes on to subgraphs; everything else stays at the edge. */
const FORWARDED = ['authorization', 'x-request-id', 'tracestate', 'x-forwarded-for'];

/**
 * A subgraph fetch that picks the live instance per request, forwards the caller's Authorization
 * (each subgraph verifies it again) and carries a hard timeout.
 */
export class RoutedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    private readonly subgraph: string,
    private readonly fallbackUrl: string,
    private readonly routing: SubgraphRouting,
    timeoutMs: number,
  ) {
    super({
      url: fallbackUrl,
      // A refused connection (an instance that died) is retried once on another live instance.
      fetcher: (async (url: string, init: RequestInit) => {
        try {
          return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        } catch (err) {
          const alternative = isConnectionFailure(err) ? routing.alternativeGraphqlUrl(subgraph, url) : undefined;
          if (!alternative) throw err;
          return fetch(alternative, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        }
      }) as never,
    });
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
}

function isConnectionFailure(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET';
}
