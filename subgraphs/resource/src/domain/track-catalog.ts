import { ServiceUnavailableError } from '@ytm/errors';

/** What resource needs to know about a library track. */
export interface TrackSummary {
  id: string;
  title: string;
  durationSeconds: number;
  albumTitle: string;
  artistNames: string[];
  /** The file's path relative to the music folder, '/'-separated; null when library does not say. */
  relativePath: string | null;
}

/** Library's tracks, asked over gRPC (BatchGetTracks). */
export interface TrackCatalog {
  /** The tracks among `ids` that exist; throws LibraryUnavailableError when library cannot answer. */
  getTracks(ids: readonly string[]): Promise<Map<string, TrackSummary>>;
}

/** Library did not answer in time: nothing was changed, the client may retry. */
export class LibraryUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('The music library is not reachable right now; nothing was changed. Try again shortly.');
  }
}

/** Tracks that left the library (`library.track.removed`) and did not come back. */
export interface RemovedTrackRepository {
  markRemoved(trackId: string, at: Date): Promise<void>;
  /** Whether the track is marked removed by a removal at or before `at` (one read by `_id`). */
  removedBefore(trackId: string, at: Date): Promise<boolean>;
  /** A track with the same ID came back (`library.track.added` after the removal). */
  markRestored(trackId: string, at: Date): Promise<void>;
  removedAmong(trackIds: readonly string[]): Promise<Set<string>>;
}
