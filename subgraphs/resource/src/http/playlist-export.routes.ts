import Router from '@koa/router';
import type { Authenticate } from '@ytm/auth';
import { NotFoundError, UnauthenticatedError } from '@ytm/errors';
import type { AppState } from '@ytm/http';
import { isUuid } from '../domain/ids.js';
import type { PlaylistService } from '../domain/playlist.service.js';
import type { TrackCatalog } from '../domain/track-catalog.js';
import { renderM3u8 } from './m3u8.format.js';

export interface PlaylistExportDeps {
  playlists: PlaylistService;
  tracks: TrackCatalog;
  authenticate: Authenticate;
  /** Entry URL template; `{id}` is the track ID. */
  entryUrl: string;
}

/**
 * `GET /playlists/<id>.m3u8` (the router proxies `/playlists/*` with the Authorization header):
 * the same rules as the `playlist` query — a playlist the caller may not read is 404, like a
 * missing one. Titles and durations come from library's BatchGetTracks; library down → 503.
 */
export function playlistExportRoutes(deps: PlaylistExportDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/playlists/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    const caller = await deps.authenticate(ctx.get('authorization'));
    if (!caller) throw new UnauthenticatedError();
    const { viewer } = caller;
    const id = file.endsWith('.m3u8') ? file.slice(0, -'.m3u8'.length) : '';
    const playlist = isUuid(id) ? await deps.playlists.get(viewer, id) : null;
    if (!playlist) throw new NotFoundError('Playlist not found');
    const tracks = await deps.tracks.getTracks([...new Set(playlist.items.map((i) => i.trackId))]);
    const asciiName = playlist.name.replace(/[^A-Za-z0-9 ._-]+/g, '_').slice(0, 100) || 'playlist';
    ctx.set('Content-Type', 'audio/x-mpegurl; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="${asciiName}.m3u8"; filename*=UTF-8''${encodeURIComponent(playlist.name)}.m3u8`);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = renderM3u8(playlist, tracks, deps.entryUrl);
  });
  return router;
}
