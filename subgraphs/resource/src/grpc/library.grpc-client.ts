import { createClient, fromGrpcError, LibraryClient, unaryCall, type CallerCredentials } from '@ytm/proto';
import type { Logger } from '@ytm/logger';
import { LibraryUnavailableError, type TrackCatalog, type TrackSummary } from '../domain/track-catalog.js';

/** IDs per BatchGetTracks call: 1,000 ids of ~40 bytes stay far below gRPC's 4 MB message limit. */
const CHUNK = 1_000;

/**
 * Library's tracks over gRPC, every call with a deadline. Library being down or slow is a
 * LibraryUnavailableError (the caller changes nothing), never a hang.
 */
export function libraryTrackCatalog(address: string, caller: CallerCredentials, logger: Logger, deadlineMs: number): TrackCatalog & { close(): void } {
  const client = createClient(LibraryClient, address, caller);
  return {
    async getTracks(ids) {
      const found = new Map<string, TrackSummary>();
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK));
      try {
        const responses = await Promise.all(chunks.map((chunk) => unaryCall(client.batchGetTracks.bind(client), { ids: chunk }, { deadlineMs })));
        for (const r of responses) {
          for (const t of r.tracks)
            found.set(t.id, {
              id: t.id,
              title: t.title,
              durationSeconds: t.durationSeconds,
              albumTitle: t.albumTitle,
              artistNames: t.artistNames,
              relativePath: t.relativePath || null,
            });
        }
      } catch (err) {
        const remote = fromGrpcError(err);
        logger.warn({ code: remote.code, grpcStatus: remote.grpcStatus, message: remote.message, ids: ids.length }, 'library BatchGetTracks failed');
        throw new LibraryUnavailableError();
      }
      return found;
    },
    close: () => client.close(),
  };
}
