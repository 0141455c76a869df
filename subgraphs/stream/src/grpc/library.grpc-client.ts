import { createClient, fromGrpcError, LibraryClient, unaryCall, type CallerCredentials } from '@ytm/proto';
import type { TrackFiles } from '../domain/ports.js';
import type { TrackFile } from '../domain/ticket.js';

export interface LibraryTrackFilesOptions {
  address: string;
  /** This service's identity: library admits GetTrackFile only from stream. */
  caller: CallerCredentials;
  deadlineMs: number;
  /** A found file is reused this long; every Range request of a play hits the cache. */
  cacheMs: number;
  /** An unknown track is remembered for a shorter time (a scan may add it). */
  notFoundCacheMs?: number;
  maxEntries?: number;
}

interface Entry {
  value: TrackFile | null;
  until: number;
}

/**
 * Library's GetTrackFile with a deadline, a short cache and one call in flight per track.
 * Transport failures reject (the caller answers 503 / INTERNAL), NOT_FOUND resolves to null.
 */
export function libraryTrackFiles(options: LibraryTrackFilesOptions): TrackFiles & { close(): void } {
  const { address, deadlineMs, cacheMs, notFoundCacheMs = Math.min(cacheMs, 2_000), maxEntries = 10_000 } = options;
  const client = createClient(LibraryClient, address, options.caller);
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<TrackFile | null>>();

  const fetchFile = async (trackId: string): Promise<TrackFile | null> => {
    try {
      const f = await unaryCall(client.getTrackFile.bind(client), { trackId }, { deadlineMs });
      return {
        trackId: f.trackId || trackId,
        path: f.path,
        size: Number(f.size),
        mtimeMs: Number(f.mtimeMs),
        mimeType: f.mimeType || 'application/octet-stream',
        durationSeconds: f.durationSeconds,
        ...(f.bitrate ? { bitrate: f.bitrate } : {}),
      };
    } catch (err) {
      if (fromGrpcError(err).code === 'NOT_FOUND') return null;
      throw err;
    }
  };

  return {
    get(trackId) {
      const now = Date.now();
      const hit = cache.get(trackId);
      if (hit && hit.until > now) return Promise.resolve(hit.value);
      let pending = inflight.get(trackId);
      if (!pending) {
        pending = fetchFile(trackId)
          .then((value) => {
            if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
            cache.set(trackId, { value, until: Date.now() + (value ? cacheMs : notFoundCacheMs) });
            return value;
          })
          .finally(() => inflight.delete(trackId));
        inflight.set(trackId, pending);
      }
      return pending;
    },
    close: () => client.close(),
  };
}
