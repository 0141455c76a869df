import { makeOperation, mapExchange, type Client, type Exchange, type Operation } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import type { Session } from '../features/auth/session';

/** Close codes of the router's graphql-ws server (router/src/subscriptions/ws-server.ts). */
const TOKEN_EXPIRED = 4401;
const FORBIDDEN = 4403;
/** The router closes a subscriber that cannot keep up with its events (a slow consumer). */
const TOO_SLOW = 4429;
/** 4401 as graphql-ws gets to see it: graphql-ws never retries 4401 (it counts it as fatal). */
const RETRY_WITH_FRESH_TOKEN = 4498;
/** 4429 as graphql-ws gets to see it: it counts 4429 as fatal too. */
const RETRY_AFTER_TOO_SLOW = 4497;
const RETRIED_AS: Record<number, number> = { [TOKEN_EXPIRED]: RETRY_WITH_FRESH_TOKEN, [TOO_SLOW]: RETRY_AFTER_TOO_SLOW };

/**
 * The browser's WebSocket, but a 4401 close reaches graphql-ws as 4498 and a 4429 as 4497, which
 * it retries: the router closes with 4401 when the access token expires ("reconnect with a fresh
 * token") and with 4429 when this client fell behind on events ("reconnect, and resync"), never
 * "give up" (every subscription on screen would end for good).
 */
class TokenAwareWebSocket extends WebSocket {
  override get onclose() {
    return super.onclose;
  }
  override set onclose(handler: ((this: WebSocket, ev: CloseEvent) => unknown) | null) {
    super.onclose = handler
      ? function (this: WebSocket, ev: CloseEvent) {
          const code = RETRIED_AS[ev.code];
          const seen = code ? new CloseEvent('close', { code, reason: ev.reason, wasClean: ev.wasClean }) : ev;
          return handler.call(this, seen);
        }
      : null;
  }
}
const KEEP_ALIVE_MS = 10_000;
const PONG_WAIT_MS = 5_000;

type Listener = () => void;
const resyncListeners = new Set<Listener>();
let socketState: 'connecting' | 'open' | 'closed' = 'connecting';
const stateListeners = new Set<Listener>();
const setState = (s: typeof socketState) => {
  socketState = s;
  stateListeners.forEach((l) => l());
};

/** The live connection's state, for a status hint (and tests): connecting, open, closed. */
export const liveSocket = {
  get state() {
    return socketState;
  },
  subscribe: (l: Listener) => {
    stateListeners.add(l);
    return () => void stateListeners.delete(l);
  },
  /** Called after every reconnect (not the first connect). */
  onResync: (l: Listener) => {
    resyncListeners.add(l);
    return () => void resyncListeners.delete(l);
  },
};

/**
 * Keeps the active queries (to refetch them after a reconnect: events sent while the socket was
 * down are lost, so whatever is on screen is asked again from the network).
 */
export function activeQueries(): { exchange: Exchange; refetchAll: (client: Client) => void } {
  const active = new Map<number, Operation>();
  const exchange = mapExchange({
    onOperation(op) {
      if (op.kind === 'query') active.set(op.key, op);
      else if (op.kind === 'teardown') active.delete(op.key);
    },
  });
  const refetchAll = (client: Client) => {
    for (const op of [...active.values()]) client.reexecuteOperation(makeOperation('query', op, { ...op.context, requestPolicy: 'network-only' }));
  };
  return { exchange, refetchAll };
}

/**
 * graphql-ws on /graphql with the access token in connection_init. Reconnects for ever (backing
 * off) after a network drop or a router restart; a ping every 10 s with no pong within 5 s counts
 * as a drop. 4401 (token expired) and 4403 reconnect with a freshly refreshed token; 4429 (too
 * slow) reconnects after a back-off that grows while it keeps happening. After a
 * reconnect every subscription is resubscribed (graphql-ws does that) and `onReconnect` runs.
 */
export function createLiveSocket(session: Session, onReconnect: () => void): WsClient {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  let refreshFirst = false;
  /** Closes for being too slow in a row: each waits longer before reconnecting. */
  let tooSlow = 0;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let socket: WebSocket | undefined;
  const client = createWsClient({
    url,
    webSocketImpl: TokenAwareWebSocket,
    lazy: true,
    keepAlive: KEEP_ALIVE_MS,
    connectionParams: async () => {
      const token = refreshFirst ? await session.refresh() : await session.token();
      refreshFirst = false;
      return { authorization: `Bearer ${token ?? ''}` };
    },
    shouldRetry: () => session.current.status === 'signedIn',
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryWait: async (retries) => {
      // graphql-ws counts retries from the last connection: one closed for being too slow
      // counts its own, so a client that keeps falling behind does not reconnect at once each time.
      const ms = Math.min(1_000 * 2 ** Math.max(retries, tooSlow), 15_000);
      await new Promise((r) => setTimeout(r, ms / 2 + Math.random() * (ms / 2)));
    },
    on: {
      connecting: () => setState('connecting'),
      opened: (s) => (socket = s as WebSocket),
      connected: (_socket, _payload, wasRetry) => {
        setState('open');
        if (wasRetry) {
          // Now, and once more when the resubscriptions surely reached the router: an event sent
          // between the acknowledgement and a subscription's start would be lost otherwise.
          onReconnect();
          setTimeout(onReconnect, 2_000);
          resyncListeners.forEach((l) => l());
        }
      },
      ping: (received) => {
        if (received) return;
        const ws = socket;
        // A dead connection would not finish a close handshake: terminate (graphql-ws then retries).
        pongTimer = setTimeout(() => {
          if (ws === socket && ws?.readyState === WebSocket.OPEN) client.terminate();
        }, PONG_WAIT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        setState('closed');
        const code = (event as CloseEvent | undefined)?.code;
        if (code === RETRY_WITH_FRESH_TOKEN || code === FORBIDDEN) refreshFirst = true;
        tooSlow = code === RETRY_AFTER_TOO_SLOW ? tooSlow + 1 : 0;
      },
    },
  });
  addEventListener('online', () => {
    // Back online: a socket that died quietly is closed now rather than at the next ping.
    if (socketState !== 'open') return;
    client.terminate();
  });
  return client;
}
