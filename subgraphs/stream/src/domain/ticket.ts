import type { TranscodeSpec } from './stream-format.js';

/** A playback ticket as stored. */
export interface Ticket {
  /** The `jti` of the signed token. */
  id: string;
  userId: string;
  sessionId: string;
  trackId: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** One play: a ticket whose first audio byte was served; completed once it counts. */
export interface PlayRecord {
  ticketId: string;
  trackId: string;
  playedAt: Date;
  completed: boolean;
}

/** What a signed ticket token binds. */
export interface TicketClaims {
  ticketId: string;
  userId: string;
  sessionId: string;
  trackId: string;
  expiresAt: Date;
  /** The transcode the URL serves; absent: the original file. */
  transcode?: TranscodeSpec;
}

/** A track's audio file as the library knows it. */
export interface TrackFile {
  trackId: string;
  /** Absolute path on this host; never taken from a request. */
  path: string;
  size: number;
  mtimeMs: number;
  mimeType: string;
  durationSeconds: number;
  /** Bits per second as the library read it, when known. */
  bitrate?: number;
}

/** Why the range endpoint refuses a ticket; each maps to a 401/403 with this code. */
export type TicketRejection = 'TICKET_INVALID' | 'TICKET_EXPIRED' | 'TICKET_REVOKED' | 'TICKET_FOREIGN';

export class TicketRejectedError extends Error {
  constructor(readonly reason: TicketRejection) {
    super(reason);
    this.name = 'TicketRejectedError';
  }
}

/** 00:00 UTC of the day `now` falls in: the daily quota counts from here. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Ticket lifetime: the track plus a margin, bounded for very long files. */
export function ticketLifetimeMs(durationSeconds: number, marginSeconds: number, maxSeconds: number): number {
  const duration = Number.isFinite(durationSeconds) && durationSeconds > 0 ? durationSeconds : 0;
  return Math.min(maxSeconds, Math.ceil(duration) + marginSeconds) * 1000;
}

/** Another subgraph's entity (Track, User), known here by its ID only (federation resolves the rest). */
export interface EntityRef {
  id: string;
}
