import type Koa from 'koa';
import type { AppState } from '@ytm/http';
import type { Image } from '../domain/model.js';
import { ArtFileRepository } from '../persistence/art-file.repository.js';

const ID_RE = /^[A-Za-z0-9_-]{32}$/;
const MAX_REQUESTED_SIZE = 4096;

/**
 * `GET /art/<imageId>[?size=N]`: cover art, reached through the router's /art/* proxy. IDs are
 * content hashes, so responses never change: ETag plus a year of immutable caching.
 */
export function artRoutes(art: ArtFileRepository, findImage: (id: string) => Image | undefined): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/art/')) {
      await next();
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    const id = ctx.path.slice('/art/'.length);
    const image = ID_RE.test(id) ? findImage(id) : undefined;
    if (!image) {
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: 'No such image' } };
      return;
    }
    let size: number | undefined;
    const rawSize = ctx.query.size;
    if (rawSize !== undefined) {
      const n = typeof rawSize === 'string' && /^\d{1,5}$/.test(rawSize) ? Number(rawSize) : NaN;
      if (!(n >= 1 && n <= MAX_REQUESTED_SIZE)) {
        ctx.status = 400;
        ctx.body = { error: { code: 'BAD_USER_INPUT', message: `size must be an integer between 1 and ${MAX_REQUESTED_SIZE}` } };
        return;
      }
      size = ArtFileRepository.thumbnailSize(n);
    }
    const etag = size === undefined ? `"${id}"` : `"${id}-${size}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    if (
      ctx
        .get('if-none-match')
        .split(/\s*,\s*/)
        .includes(etag)
    ) {
      ctx.status = 304;
      return;
    }
    const file = await art.open(id, size).catch(() => undefined);
    if (!file) {
      ctx.status = 404;
      ctx.remove('Cache-Control');
      ctx.body = { error: { code: 'NOT_FOUND', message: 'No such image' } };
      return;
    }
    ctx.status = 200;
    ctx.type = file.thumbnail ? 'image/jpeg' : image.mimeType;
    if (ctx.method === 'HEAD') file.stream.destroy();
    else ctx.body = file.stream;
    ctx.length = file.length;
  };
}
