import { afterEach } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * For a test file: `listen(handler)` starts an HTTP server on 127.0.0.1 and gives its base URL;
 * every server started during a test is closed after it, its open connections too.
 */
export function serversClosedAfterEach(): (handler: http.RequestListener) => Promise<string> {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return async (handler) => {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
}
