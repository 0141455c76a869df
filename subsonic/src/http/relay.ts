import http from 'node:http';
import { pipeline } from 'node:stream';
import type { ServerResponse } from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** Request headers a media request passes on (ranges and validators). */
const FORWARD = ['range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];
/** Response headers passed back. */
const BACK = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified', 'cache-control'];

export interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** Opens `url` with the client's range and validator headers; the caller decides whether to relay it. */
export function openUpstream(url: URL, method: 'GET' | 'HEAD', clientHeaders: http.IncomingHttpHeaders, timeoutMs: number): Promise<Upstream> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const name of FORWARD) if (clientHeaders[name] !== undefined) headers[name] = clientHeaders[name];
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs });
    req.on('timeout', () => req.destroy(new Error('upstream timeout')));
    req.on('error', reject);
    req.on('response', (res) => {
      req.setTimeout(0);
      resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res });
    });
    req.end();
  });
}

/** Streams an upstream answer to the client unbuffered; a client that leaves aborts the upstream. */
export function relay(up: Upstream, res: ServerResponse, extraHeaders: Record<string, string> = {}): Promise<void> {
  const headers: http.OutgoingHttpHeaders = { ...extraHeaders };
  for (const name of BACK) if (up.headers[name] !== undefined) headers[name] = up.headers[name];
  res.writeHead(up.status, headers);
  return new Promise((resolve) => {
    res.on('close', () => {
      if (!up.body.complete) up.body.destroy();
    });
    pipeline(up.body, res, () => resolve());
  });
}
