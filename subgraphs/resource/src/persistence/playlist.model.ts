import type { OutboxEntry } from '@ytm/events';
import type { PlaylistVisibility } from '../domain/playlist.js';

/**
 * Superseded version documents are kept for a while, so a head that a slow writer set back still
 * leads to the latest version; then a sweep removes them (`PlaylistVersionSweeper`).
 *
 * Three collections, because FerretDB 1.x has no compare-and-set but an atomic unique `_id`, and
 * scans (decoding every document) for any filter other than `_id` equality:
 *
 * - `playlist_versions` (small; the outbox relay scans it): one document per version,
 *   `_id` = `<playlistId>:<version>`. Inserting it commits the version — of concurrent writers of
 *   version n exactly one succeeds — and carries that version's event.
 * - `playlist_states` (large, immutable, only read by `_id`): the full state of one version.
 * - `playlists` (small; scanned only by the start's backfill of the owners' listings, which are a
 *   read model: `OwnerListings`): per playlist the latest known version and its state. Written after each commit, so it may
 *   lag; readers look for a newer version document.
 */
export interface PlaylistVersionDoc {
  _id: string;
  playlistId: string;
  version: number;
  /** Null for the tombstone written by deletePlaylist. */
  stateId: string | null;
  deleted: boolean;
  committedAt: Date;
  _outbox?: OutboxEntry[];
  /** Superseded; the relay deletes it once its event is out. */
  _deleted?: boolean;
}

export interface PlaylistStateDoc {
  _id: string;
  playlistId: string;
  ownerId: string;
  name: string;
  description: string | null;
  visibility: PlaylistVisibility;
  version: number;
  items: Array<{ id: string; trackId: string; addedAt: Date }>;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlaylistHeadDoc {
  _id: string;
  ownerId: string;
  name: string;
  description: string | null;
  visibility: PlaylistVisibility;
  version: number;
  trackCount: number;
  createdAt: Date;
  updatedAt: Date;
  deleted: boolean;
  stateId: string | null;
}

export const PLAYLIST_HEADS = 'playlists';
export const PLAYLIST_VERSIONS = 'playlist_versions';
export const PLAYLIST_STATES = 'playlist_states';

export function versionId(playlistId: string, version: number): string {
  return `${playlistId}:${version}`;
}
