import type { Ticket, TicketClaims, TrackFile } from './ticket.js';

export type NewTicket = Omit<Ticket, 'revokedAt' | 'startedAt' | 'completedAt'>;

/** Tickets (and through them, plays) in stream's database. */
export interface TicketRepository {
  create(ticket: NewTicket): Promise<void>;
  /** Unrevoked, unexpired tickets of a user, newest first. */
  listActive(userId: string, now: Date): Promise<Ticket[]>;
  /** Revokes the given tickets; returns the IDs this call revoked. */
  revoke(ids: string[], now: Date): Promise<string[]>;
  /** Revokes a user's open tickets (one session's, when given); returns the IDs revoked. */
  revokeForUser(userId: string, sessionId: string | undefined, now: Date): Promise<string[]>;
  /** Revocation state of one ticket; null when no such ticket exists. */
  findRevocation(id: string): Promise<{ revokedAt: Date | null } | null>;
  /** Of the given IDs, those now revoked. */
  findRevoked(ids: string[]): Promise<string[]>;
  /** Sets startedAt once, with the `stream.play.started` event; false when already started. */
  markStarted(ticket: TicketClaims, now: Date): Promise<boolean>;
  /** Sets completedAt once, with the `stream.play.completed` event; false when already counted. */
  markCompleted(ticket: TicketClaims, now: Date): Promise<boolean>;
  /** Started plays of a user, newest first. */
  recentlyPlayed(userId: string, limit: number): Promise<Ticket[]>;
  /** Completed plays per track (absent: zero). */
  countCompleted(trackIds: readonly string[]): Promise<Map<string, number>>;
}

/** Tickets issued per user and UTC day, counted atomically. */
export interface UsageRepository {
  /** Counts one ticket unless `limit` is reached; false when it is. */
  consume(userId: string, day: string, limit: number | null): Promise<boolean>;
  /** Gives back a ticket counted by a request that then failed. */
  release(userId: string, day: string): Promise<void>;
  count(userId: string, day: string): Promise<number>;
}

/** Sessions signed out, so their still-valid access tokens get no new tickets. */
export interface SessionRevocations {
  add(sessionId: string, until: Date): Promise<void>;
  has(sessionId: string, now: Date): Promise<boolean>;
}

/** Library's file lookup; null for an unknown track. */
export interface TrackFiles {
  get(trackId: string): Promise<TrackFile | null>;
}

/** Signs and verifies ticket tokens with stream's own key. */
export interface TicketSigner {
  sign(claims: TicketClaims): string;
  /** Throws TicketRejectedError (TICKET_INVALID or TICKET_EXPIRED). */
  verify(token: string, now: Date): TicketClaims;
}

export interface Clock {
  now(): Date;
}
