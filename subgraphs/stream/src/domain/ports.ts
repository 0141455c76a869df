import type { PlayRecord, Ticket, TicketClaims, TrackFile } from './ticket.js';

export type NewTicket = Omit<Ticket, 'revokedAt'>;

/** Tickets in stream's database. */
export interface TicketRepository {
  /**
   * Stores a new ticket unless the user already has `dailyLimit` tickets issued since `dayStart`
   * (null: no limit); false when the limit is reached. Atomic across replicas.
   */
  create(ticket: NewTicket, dayStart: Date, dailyLimit: number | null): Promise<boolean>;
  /** Tickets issued to a user on the UTC day starting at `dayStart` (the day's plays). */
  countIssuedOn(userId: string, dayStart: Date): Promise<number>;
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
}

/**
 * Plays, each step written once (insert-only, keyed by ticket) together with its event: FerretDB
 * loses concurrent updates of one document, so nothing here is ever updated in place.
 */
export interface PlayRepository {
  /** Records the play's start with `stream.play.started`; false when already recorded. */
  markStarted(ticket: TicketClaims, now: Date): Promise<boolean>;
  /** Records that the play counts, with `stream.play.completed`; false when already recorded. */
  markCompleted(ticket: TicketClaims, now: Date): Promise<boolean>;
  /** A user's plays, newest first. */
  recentlyPlayed(userId: string, limit: number): Promise<PlayRecord[]>;
  /** Completed plays per track (absent: zero). */
  countCompleted(trackIds: readonly string[]): Promise<Map<string, number>>;
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
