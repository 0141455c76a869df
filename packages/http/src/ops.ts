import type http from 'node:http';
import { metricsRegistry } from '@ytm/metrics';
import { listen } from './lifecycle.js';
import { sendJson } from './raw-route.js';

/** A readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

/** What a service tells operators, and only them: served on its ops listener, never on its public port. */
export interface OpsSurface {
  /** Named dependency checks for `GET /ready`. */
  readiness: Record<string, ReadinessCheck>;
  /** Extra fields for `GET /health` (registrations, counters, memory). */
  health?: () => Record<string, unknown>;
  readinessTimeoutMs: number;
}

/**
 * The ops listener's handler: `GET /health` (alive, with the service's details), `GET /ready`
 * (every dependency answered, else 503 with which did not) and `GET /metrics` (Prometheus).
 * Nothing else: 404, and 405 for other methods.
 */
export function opsHandler(ops: OpsSurface): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const known = path === '/health' || path === '/ready' || path === '/metrics';
    if (!known) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Use GET' } }, { allow: 'GET, HEAD' });
    }
    void answer(ops, path, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
      else res.destroy();
    });
  };
}

async function answer(ops: OpsSurface, path: string, res: http.ServerResponse): Promise<void> {
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()), ...(ops.health?.() ?? {}) });
    return;
  }
  if (path === '/metrics') {
    const text = Buffer.from(await metricsRegistry.metrics());
    res.writeHead(200, { 'content-type': metricsRegistry.contentType, 'content-length': String(text.length) });
    res.end(res.req.method === 'HEAD' ? undefined : text);
    return;
  }
  const results = await Promise.all(Object.entries(ops.readiness).map(async ([name, check]) => [name, await probe(check, ops.readinessTimeoutMs)] as const));
  const ready = results.every(([, r]) => r === 'ok');
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
    return 'ok';
  } catch (err) {
    return `unavailable: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Where the ops listener binds: loopback unless the operator opens it (OPS_HOST). Port 0 picks a free one. */
export interface OpsListenOptions {
  host: string;
  port: number;
}

/** Starts the ops listener. Resolves with the server and its bound port. */
export async function listenOps(ops: OpsSurface, { host, port }: OpsListenOptions): Promise<{ server: http.Server; port: number }> {
  return listen(opsHandler(ops), host, port);
}
