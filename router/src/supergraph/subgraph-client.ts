import { Agent, type Dispatcher } from 'undici';

/** A subgraph's answer: status, the headers the gateway may read, and the body (its text decoded when first read). */
export interface SubgraphResponse {
  url: string;
  status: number;
  headers: { get(name: string): string | null };
  body: Buffer;
  readonly text: string;
}

/**
 * HTTP to the subgraphs on one pooled keep-alive agent, on undici's dispatcher directly: the answer
 * is collected as it arrives, without the WHATWG fetch layer or a body stream per request.
 * Identical in-flight queries with the same credentials share one fetch (`dedupe`): a burst of the
 * same page from many clients, or a query plan asking one subgraph the same thing twice, costs the
 * subgraph one request.
 */
export class SubgraphClient {
  private readonly agent: Agent;
  private readonly inFlight = new Map<string, Promise<SubgraphResponse>>();
  /** Origin and path of each subgraph URL, parsed once (a handful of URLs). */
  private readonly targets = new Map<string, { origin: string; path: string }>();
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

  private send(url: string, headers: Record<string, string>, body: string): Promise<SubgraphResponse> {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size > 1_000) this.targets.clear();
      this.targets.set(url, target);
    }
    const { origin, path } = target;
    return new Promise((resolve, reject) => {
      let status = 0;
      let rawHeaders: Buffer[] = [];
      const chunks: Buffer[] = [];
      const handler: Dispatcher.DispatchHandlers = {
        onConnect: () => undefined,
        onHeaders: (statusCode, raw) => {
          status = statusCode;
          rawHeaders = raw;
          return true;
        },
        onData: (chunk) => {
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          let text: string | undefined;
          resolve({
            url,
            status,
            headers: headerReader(rawHeaders),
            body,
            get text() {
              return (text ??= body.toString('utf8'));
            },
          });
        },
        onError: reject,
      };
      this.agent.dispatch({ origin, path, method: 'POST', headers, body }, handler);
    });
  }
}

/** `get(name)` over undici's raw header list ([name, value, …] as buffers), decoded once, when first asked. */
function headerReader(raw: Buffer[]): SubgraphResponse['headers'] {
  let names: string[] | undefined;
  return {
    get(name) {
      names ??= raw.map((b, i) => (i % 2 === 0 ? b.toString('latin1').toLowerCase() : ''));
      const wanted = name.toLowerCase();
      let value: string | null = null;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (names[i] === wanted) value = value === null ? raw[i + 1]!.toString('latin1') : `${value}, ${raw[i + 1]!.toString('latin1')}`;
      }
      return value;
    },
  };
}
