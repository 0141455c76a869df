import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type Koa from 'koa';
import type { AppState } from '@ytm/http';

export interface WebAppOptions {
  /** The production build of web/ (`web/dist`): index.html, assets/ with hashed names. */
  distDir: string;
  /** Where the services' absolute media and image URLs point (PUBLIC_URL): allowed by the CSP. */
  publicUrl: string;
  /** Paths the app never answers (the router's own routes): a miss there stays a 404. */
  reservedPrefixes: string[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);

interface Loaded {
  body: Buffer;
  gzip?: Buffer;
  etag: string;
  type: string;
}

/** The Content-Security-Policy of the app: its own origin, the router's WebSocket, the media/image origin. */
export function contentSecurityPolicy(publicUrl: string, host: string, secure: boolean): string {
  const media = new URL(publicUrl).origin;
  const socket = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? ` ${secure ? 'wss' : 'ws'}://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${media} data:`,
    `media-src 'self' ${media}`,
    `connect-src 'self'${socket}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The app's client-side routes, from its build (`app-routes.json`): only these get index.html. */
interface AppRoutes {
  exact: string[];
  prefixes: string[];
}

function readAppRoutes(distDir: string): AppRoutes {
  try {
    const r = JSON.parse(readFileSync(join(distDir, 'app-routes.json'), 'utf8')) as Partial<AppRoutes>;
    return { exact: Array.isArray(r.exact) ? r.exact : ['/'], prefixes: Array.isArray(r.prefixes) ? r.prefixes : [] };
  } catch {
    return { exact: ['/'], prefixes: [] };
  }
}

/**
 * Build internals in the dist folder that the browser never asks for: the router reads
 * `app-routes.json` itself, and anything under a dot-folder (Vite's `.vite/manifest.json`, which
 * the size budget reads) or a dotfile stays private. They answer 404 like a missing file.
 */
export function isBuildInternal(path: string): boolean {
  return path === '/app-routes.json' || path.split('/').some((segment) => segment.startsWith('.'));
}

/**
 * Serves the web player: hashed files under /assets/ as immutable for a year, and index.html
 * (no-cache, with the CSP) for the app's own routes (its `app-routes.json`), so they survive a
 * reload; never for the router's routes nor the build's internals (`isBuildInternal`), and
 * anything else stays a 404. Files are read once and kept, gzipped when that helps.
 */
export function webApp({ distDir, publicUrl, reservedPrefixes }: WebAppOptions): Koa.Middleware<AppState> {
  const root = normalize(distDir + sep);
  const cache = new Map<string, Promise<Loaded | undefined>>();
  const load = (file: string) => {
    let entry = cache.get(file);
    if (!entry) {
      entry = loadFile(file);
      cache.set(file, entry);
      // A missing file is looked up again next time (the build may land after the router started).
      void entry.then((v) => v ?? cache.delete(file));
    }
    return entry;
  };

  const reserved = reservedPrefixes.map((p) => p.replace(/\/$/, ''));
  let routes: AppRoutes | undefined;
  const isAppRoute = (path: string) => {
    routes ??= readAppRoutes(root);
    const r = routes;
    return r.exact.includes(path) || r.prefixes.some((p) => path.startsWith(p) && path.length > p.length && !path.slice(p.length).includes('/'));
  };
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || reserved.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`))) {
      await next();
      return;
    }
    const decoded = decodeSafe(ctx.path);
    if (isBuildInternal(decoded.replaceAll('\\', '/'))) {
      await next();
      return;
    }
    const wanted = normalize(join(root, decoded));
    const isFile = extname(ctx.path) !== '' && wanted.startsWith(root);
    if (!isFile && !isAppRoute(ctx.path)) {
      await next();
      return;
    }
    const file = isFile ? wanted : join(root, 'index.html');
    const loaded = await load(file);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (!loaded) {
      if (isFile) return; // Koa's 404
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'The web player is not built yet: run `npm run build -w web` (npm start does it).\n';
      return;
    }
    const html = file.endsWith('.html');
    if (html) {
      ctx.set('Content-Security-Policy', contentSecurityPolicy(publicUrl, ctx.host, ctx.protocol === 'https'));
      ctx.set('X-Frame-Options', 'DENY');
    }
    const immutable = ctx.path.startsWith('/assets/');
    ctx.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('ETag', loaded.etag);
    ctx.set('Vary', 'Accept-Encoding');
    ctx.type = loaded.type;
    if (ctx.get('if-none-match') === loaded.etag) {
      ctx.status = 304;
      return;
    }
    const gzip = loaded.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gzip) ctx.set('Content-Encoding', 'gzip');
    ctx.body = gzip ? loaded.gzip : loaded.body;
  };
}

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '/\0';
  }
}

async function loadFile(file: string): Promise<Loaded | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    const body = await readFile(file);
    const ext = extname(file);
    const gzip = COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
    return {
      body,
      gzip: gzip && gzip.length < body.length ? gzip : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      type: TYPES[ext] ?? 'application/octet-stream',
    };
  } catch {
    return undefined;
  }
}
