import { Agent, request } from 'undici';

/** A subgraph's answer: status, the headers the gateway may read, and the body text. */
export interface SubgraphResponse {
  url: string;
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/**
 * HTTP to the subgraphs on one pooled keep-alive agent (undici's own request API, without the
 * WHATWG fetch layer the gateway's default fetcher adds per request). Identical in-flight queries
 * with the same credentials share one fetch (`dedupe`): a burst of the same page from many clients,
 * or a query plan asking one subgraph the same thing twice, costs the subgraph one request.
 */
export class SubgraphClient {
  private readonly agent: Agent;
  private readonly inFlight = new Map<string, Promise<SubgraphResponse>>();
  /** Fetches answered from another caller's fetch (tests, metrics). */
  shared = 0;

  constructor(private readonly timeoutMs: number) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 256, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** POSTs `body`; when `dedupe`, callers with the same URL, headers and body share one fetch. */
  post(url: string, headers: Record<string, string>, body: string, dedupe: boolean): Promise<SubgraphResponse> {
    if (!dedupe) return this.send(url, headers, body);
    const key = `${url}\u0000${headers.authorization ?? ''}\u0000${body}`;
    const running = this.inFlight.get(key);
    if (running) {
      this.shared += 1;
      return running;
    }
    const started = this.send(url, headers, body).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async send(url: string, headers: Record<string, string>, body: string): Promise<SubgraphResponse> {
    const res = await request(url, { method: 'POST', headers, body, dispatcher: this.agent });
    const text = await res.body.text();
    const raw = res.headers;
    return {
      url,
      status: res.statusCode,
      headers: {
        get: (name) => {
          const v = raw[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
      },
      text,
    };
  }
}
