import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@ytm/logger';

/** Starts an HTTP server; port 0 picks a free one. Resolves with the bound port. */
export async function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown,
  host: string,
  port: number,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Stops accepting, lets in-flight requests finish, then cuts what is left at the deadline. */
export async function closeServer(server: http.Server, graceMs = 8_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

export type ShutdownStep = [name: string, run: () => Promise<unknown>];

/**
 * On SIGTERM/SIGINT runs the steps in order (servers first, then consumers and producers,
 * then stores) and exits 0; exits 1 if they take longer than the deadline.
 */
export function handleShutdown(logger: Logger, steps: () => ShutdownStep[], deadlineMs = 10_000): void {
  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const killer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, deadlineMs);
    killer.unref();
    for (const [name, run] of steps()) {
      try {
        await run();
      } catch (err) {
        logger.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
