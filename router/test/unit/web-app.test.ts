import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeServer, createApp, listen } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { contentSecurityPolicy, webApp } from '../../src/http/web-app.js';

describe('webApp: the web player served by the router', () => {
  const dist = mkdtempSync(join(tmpdir(), 'ytm-web-dist-'));
  let server: Server;
  let base: string;
  const script = `console.log(${JSON.stringify('x'.repeat(2_000))});`;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>YTM</title><script type="module" src="/assets/app-abc123.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), script);
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dist, 'app-routes.json'), JSON.stringify({ exact: ['/', '/search'], prefixes: ['/albums/'] }));
    // Build internals, as `vite build` leaves them next to the app.
    mkdirSync(join(dist, '.vite'));
    writeFileSync(join(dist, '.vite', 'manifest.json'), JSON.stringify({ 'index.html': { file: 'assets/app-abc123.js', isEntry: true } }));
    writeFileSync(join(dist, 'assets', '.hidden.js'), 'secret');
    const app = createApp({ logger: createLogger({ name: 'test', level: 'silent' }), trustProxy: false });
    app.use(async (ctx, next) => {
      if (ctx.path === '/graphql') ctx.body = { graphql: true };
      else await next();
    });
    app.use(webApp({ distDir: dist, publicUrl: 'http://127.0.0.1:4000', reservedPrefixes: ['/graphql', '/stream/', '/rest/', '/auth/', '/health'] }));
    const listening = await listen(app.callback(), '127.0.0.1', 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
  });
  afterAll(async () => {
    await closeServer(server, 1_000);
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and at app routes, no-cache, with a strict CSP', async () => {
    for (const path of ['/', '/albums/a1', '/search?q=x']) {
      const r = await fetch(base + path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(await r.text()).toContain('<title>YTM</title>');
      const csp = r.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("media-src 'self' http://127.0.0.1:4000");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
      expect(csp).not.toContain('unsafe');
    }
  });

  it('serves hashed assets as immutable for a year, gzipped when asked, with a working ETag', async () => {
    const r = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const etag = r.headers.get('etag')!;
    const again = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const plain = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    expect(await r.text()).toBe(script); // fetch undid the gzip
  });

  it('never shadows the router routes; 404 for missing files, traversal and paths that are no app route', async () => {
    expect(await (await fetch(`${base}/graphql`)).json()).toEqual({ graphql: true });
    for (const path of [
      '/stream/t1',
      '/rest/ping.view',
      '/auth/refresh',
      '/health/x',
      '/assets/missing-1.js',
      '/%2e%2e/%2e%2e/etc/passwd.txt',
      '/x%ZZ.js',
      '/etc/passwd',
      '/albums/',
      '/albums/a/b',
      '/unknown',
    ]) {
      expect([path, (await fetch(base + path)).status]).toEqual([path, 404]);
    }
    const post = await fetch(`${base}/albums/a1`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('keeps the build internals private: .vite/manifest.json, dotfiles and app-routes.json are 404, the public files are not', async () => {
    for (const path of [
      '/.vite/manifest.json',
      '/%2Evite/manifest.json',
      '/.vite%2Fmanifest.json',
      '/assets/.hidden.js',
      '/app-routes.json',
      '/%61pp-routes.json',
    ]) {
      const r = await fetch(base + path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(await r.text()).not.toContain('isEntry');
    }
    expect((await fetch(`${base}/favicon.svg`)).status).toBe(200);
    expect((await fetch(`${base}/assets/app-abc123.js`)).status).toBe(200);
  });

  it('builds wss:// into the CSP over https and ignores a malformed Host', () => {
    expect(contentSecurityPolicy('https://music.example', 'music.example', true)).toContain("connect-src 'self' wss://music.example;");
    expect(contentSecurityPolicy('https://music.example', 'bad host;x', true)).toContain("connect-src 'self';");
  });
});
