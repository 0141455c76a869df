import { createHash } from 'node:crypto';
import { nameKey } from './text-folding.js';

/**
 * Deterministic IDs: the same name (or the same recording) gives the same ID on every scan, on
 * every machine, even after the database is rebuilt, so playlists and likes never dangle.
 */
function digest(prefix: string, ...parts: string[]): string {
  return prefix + createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 20);
}

export function artistIdOf(name: string): string {
  return digest('ar_', nameKey(name));
}

export function albumIdOf(albumArtist: string, title: string): string {
  return digest('al_', nameKey(albumArtist), nameKey(title));
}

export interface TrackIdentityInput {
  musicBrainzRecordingId: string | null;
  albumId: string | null;
  discNumber: number | null;
  trackNumber: number | null;
  title: string;
  duration: number;
}

/**
 * What a track is, independent of where its file lives: the MusicBrainz recording ID when
 * tagged, else album + disc + track + title + duration (whole seconds). A moved or renamed file
 * with the same identity keeps its track ID.
 */
export function trackIdentityOf(t: TrackIdentityInput): string {
  // Kept as a short digest: one per track lives in memory.
  if (t.musicBrainzRecordingId) return digest('mb:', t.musicBrainzRecordingId.toLowerCase());
  return digest('t:', t.albumId ?? '', String(t.discNumber ?? ''), String(t.trackNumber ?? ''), nameKey(t.title), String(Math.round(t.duration)));
}

/** The ID a new track gets; `salt` (its path) separates two files that share an identity. */
export function trackIdOf(identity: string, salt?: string): string {
  return salt === undefined ? digest('tr_', identity) : digest('tr_', identity, salt);
}

/** Content-addressed image ID: unguessable without the image, equal for equal bytes. */
export function imageIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 32);
}
