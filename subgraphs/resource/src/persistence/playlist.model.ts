import type { OutboxEntry } from '@ytm/events';
import type { PlaylistVisibility } from '../domain/playlist.js';

/** One playlist version's full state. */
export interface PlaylistStateDoc {
  ownerId: string;
  name: string;
  description: string | null;
  visibility: PlaylistVisibility;
  version: number;
  items: Array<{ id: string; trackId: string; addedAt: Date }>;
  trackCount: number;
  createdAt: Date;
  updatedAt: Date;
  /** The tombstone version written by deletePlaylist. */
  deleted: boolean;
}

/**
 * `playlist_revisions`: one immutable document per version, `_id` = `<playlistId>:<version>`.
 * Inserting it is the commit (a unique `_id` is the only compare-and-set FerretDB 1.x offers),
 * and it carries that version's event in its outbox.
 */
export interface PlaylistRevisionDoc extends PlaylistStateDoc {
  _id: string;
  playlistId: string;
  _outbox?: OutboxEntry[];
  /** Superseded; the relay deletes it once its event is out. */
  _deleted?: boolean;
}

/**
 * `playlists`: the latest known state per playlist (`_id` = playlist ID), written after each
 * commit. A hint that can lag a version behind under concurrent writers; readers check for a
 * newer revision, so it is never trusted for concurrency. Listings read it.
 */
export interface PlaylistHeadDoc extends PlaylistStateDoc {
  _id: string;
}

export const PLAYLIST_HEADS = 'playlists';
export const PLAYLIST_REVISIONS = 'playlist_revisions';

export function revisionId(playlistId: string, version: number): string {
  return `${playlistId}:${version}`;
}
