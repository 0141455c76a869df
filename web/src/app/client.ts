import { Client, fetchExchange, ssrExchange, subscriptionExchange, type SSRData } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { cacheExchange } from '@urql/exchange-graphcache';
import type { Session } from '../features/auth/session';
import { activeQueries, createLiveSocket } from './live-socket';
import { cacheOptions } from './cache-config';

/**
 * The GraphQL client: Graphcache (normalised; connections merged as you scroll), the access token
 * on every operation (refreshed after an UNAUTHENTICATED answer), and graphql-ws on the same
 * /graphql URL for subscriptions, with the current token in connection_init.
 */
export function createApiClient(session: Session, initialData?: SSRData): Client {
  const queries = activeQueries();
  const ws = createLiveSocket(session, () => queries.refetchAll(client));
  const client: Client = new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    exchanges: [
      queries.exchange,
      cacheExchange(cacheOptions()),
      // Answers prefetched before the app started (main.ts), handed over once.
      ssrExchange({ isClient: true, initialState: initialData }),
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = session.peek();
          return token ? utils.appendHeaders(operation, { authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError() {
          return session.peek() === undefined && session.current.status === 'signedIn';
        },
        didAuthError(error) {
          return (error.response as Response | undefined)?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
        },
        async refreshAuth() {
          await session.refresh();
        },
      })),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return client;
}
