import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws subscriber that records what it receives, for end-to-end tests. */
export interface Recorder {
  events: Array<Record<string, any>>;
  errors: unknown[];
  completed: boolean;
  closeCode?: number;
  client: Client;
  dispose(): Promise<void>;
}

export function subscribe(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Recorder {
  const rec: Recorder = {
    events: [],
    errors: [],
    completed: false,
    client: createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: (e) => rec.errors.push(e),
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      on: {
        closed: (e) => {
          rec.closeCode ??= (e as { code?: number }).code;
        },
      },
    }),
    async dispose() {
      await rec.client.dispose();
    },
  };
  rec.client.subscribe(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) rec.errors.push(...v.errors);
        if (v.data) rec.events.push(v.data as Record<string, any>);
      },
      error: (e) => rec.errors.push(e),
      complete: () => {
        rec.completed = true;
      },
    },
  );
  return rec;
}

/** The extensions.code values of whatever errors a recorder got. */
export const errorCodes = (rec: Recorder): unknown[] =>
  rec.errors
    .flatMap((e) => (Array.isArray(e) ? e : [e]))
    .map((e) => (e as { extensions?: { code?: string }; code?: number }).extensions?.code ?? (e as { code?: number }).code);
