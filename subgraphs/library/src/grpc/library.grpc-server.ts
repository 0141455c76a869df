import { basename, relative, sep } from 'node:path';
import { BadUserInputError, NotFoundError } from '@ytm/errors';
import type { Logger } from '@ytm/logger';
import { toGrpcError, type LibraryServer } from '@ytm/proto';
import type { LibraryService } from '../domain/library.service.js';

export const MAX_BATCH_IDS = 1_000;

/** A file's path relative to the music folder that holds it, '/'-separated; its name alone when none does. */
export function relativeToRoots(path: string, roots: readonly string[]): string {
  const root = roots.find((r) => path.startsWith(r.endsWith(sep) ? r : r + sep));
  return (root ? relative(root, path) : basename(path)).split(sep).join('/');
}

/**
 * The internal Library API (stream asks for files, resource checks track IDs and exports
 * playlists). Absolute file paths leave the service only through GetTrackFile; BatchGetTracks
 * gives the path relative to the music folder (`musicRoots`).
 */
export function createLibraryHandlers(library: LibraryService, logger: Logger, musicRoots: readonly string[] = []): LibraryServer {
  const onInternal = (err: unknown) => logger.error({ err }, 'library gRPC call failed');
  return {
    getTrackFile: (call, callback) => {
      try {
        const id = call.request.trackId;
        if (!id) throw new BadUserInputError('track_id is required');
        const [track] = library.tracksByIds([id]);
        if (!track) throw new NotFoundError(`Track ${id} not found`);
        callback(null, {
          trackId: track.id,
          path: track.path,
          size: track.size,
          mtimeMs: Math.trunc(track.mtimeMs),
          mimeType: track.format.mimeType,
          durationSeconds: track.duration,
          etag: `"${track.size.toString(36)}-${Math.trunc(track.mtimeMs).toString(36)}"`,
          ...(track.format.bitrate ? { bitrate: Math.round(track.format.bitrate) } : {}),
        });
      } catch (err) {
        callback(toGrpcError(err, onInternal));
      }
    },
    batchGetTracks: (call, callback) => {
      try {
        const ids = [...new Set(call.request.ids)];
        if (ids.length > MAX_BATCH_IDS) throw new BadUserInputError(`at most ${MAX_BATCH_IDS} ids per call`);
        const tracks = library.tracksByIds(ids);
        const albums = library.albumsByIds(tracks.map((t) => t?.albumId ?? ''));
        const found = [];
        const missingIds: string[] = [];
        for (const [i, t] of tracks.entries()) {
          if (!t) {
            missingIds.push(ids[i]!);
            continue;
          }
          const artists = library.artistsByIds(t.artistIds);
          found.push({
            id: t.id,
            title: t.title,
            durationSeconds: t.duration,
            albumId: t.albumId ?? '',
            albumTitle: albums[i]?.title ?? '',
            artistNames: artists.map((a) => a?.name ?? '').filter(Boolean),
            relativePath: relativeToRoots(t.path, musicRoots),
          });
        }
        callback(null, { tracks: found, missingIds });
      } catch (err) {
        callback(toGrpcError(err, onInternal));
      }
    },
  };
}
