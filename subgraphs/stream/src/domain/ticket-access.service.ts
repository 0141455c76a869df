import { NotFoundError } from '@ytm/errors';
import type { Clock, TicketRepository, TicketSigner, TrackFiles } from './ports.js';
import { TicketRejectedError, type TicketClaims, type TrackFile } from './ticket.js';

export interface TicketAccessDeps {
  signer: TicketSigner;
  tickets: Pick<TicketRepository, 'findRevocation'>;
  trackFiles: TrackFiles;
  clock: Clock;
  /** A ticket's revocation state is re-read from the database at least this often. */
  revocationCheckMs: number;
  maxCachedTickets?: number;
}

/** Who is asking, beyond the ticket itself: both optional, both must agree with the ticket. */
export interface AccessContext {
  /** A user proven by an access token sent along (a player that sends Authorization). */
  userId?: string;
  /** The track the client means (`?track=`), so a ticket for one track cannot be used for another. */
  trackId?: string;
}

interface CachedState {
  revoked: boolean;
  checkedAt: number;
}

/**
 * Decides every Range request: a valid signature from our key, not expired, bound to this
 * user and track, not revoked (the database answer is at most `revocationCheckMs` old, and
 * revocations on this replica apply at once), and a file the library still knows.
 *
 * Revocation state is refreshed ahead: past half its age limit a request still uses it and
 * refreshes in the background, so a playing ticket never waits for the database; one lookup
 * per ticket is in flight at a time.
 */
export class TicketAccessService {
  private readonly states = new Map<string, CachedState>();
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: TicketAccessDeps) {}

  async authorize(token: string, context: AccessContext = {}): Promise<{ claims: TicketClaims; file: TrackFile }> {
    const claims = this.deps.signer.verify(token, this.deps.clock.now());
    if ((context.userId !== undefined && context.userId !== claims.userId) || (context.trackId !== undefined && context.trackId !== claims.trackId)) {
      throw new TicketRejectedError('TICKET_FOREIGN');
    }
    if (await this.isRevoked(claims.ticketId)) throw new TicketRejectedError('TICKET_REVOKED');
    const file = await this.deps.trackFiles.get(claims.trackId);
    if (!file) throw new NotFoundError('The track left the library');
    return { claims, file };
  }

  /** Revocations decided on this replica: effective immediately, without waiting for the cache. */
  markRevoked(ticketIds: readonly string[]): void {
    for (const id of ticketIds) this.remember(id, { revoked: true, checkedAt: Number.MAX_SAFE_INTEGER });
  }

  /** Tickets known unrevoked as of `at` (just issued here, or just checked for open streams). */
  confirm(ticketIds: readonly string[], at = Date.now()): void {
    for (const id of ticketIds) {
      const cached = this.states.get(id);
      if (cached?.revoked) continue;
      if (!cached || cached.checkedAt < at) this.remember(id, { revoked: false, checkedAt: at });
    }
  }

  private isRevoked(ticketId: string): Promise<boolean> | boolean {
    const cached = this.states.get(ticketId);
    if (!cached) return this.refresh(ticketId);
    if (cached.revoked) return true;
    const age = Date.now() - cached.checkedAt;
    if (age >= this.deps.revocationCheckMs) return this.refresh(ticketId);
    if (age >= this.deps.revocationCheckMs / 2) void this.refresh(ticketId).catch(() => undefined);
    return false;
  }

  /** One database lookup per ticket at a time; callers arriving meanwhile share it. */
  private refresh(ticketId: string): Promise<boolean> {
    const pending = this.inflight.get(ticketId);
    if (pending) return pending;
    const started = Date.now();
    const lookup = (async () => {
      const state = await this.deps.tickets.findRevocation(ticketId);
      // A valid signature for a ticket we have no record of (another deployment's database): refuse.
      if (!state) throw new TicketRejectedError('TICKET_INVALID');
      const current = this.states.get(ticketId);
      if (current?.revoked) return true;
      const revoked = state.revokedAt !== null;
      this.remember(ticketId, { revoked, checkedAt: Math.max(started, current?.checkedAt ?? 0) });
      return revoked;
    })().finally(() => this.inflight.delete(ticketId));
    this.inflight.set(ticketId, lookup);
    return lookup;
  }

  private remember(id: string, state: CachedState): void {
    const max = this.deps.maxCachedTickets ?? 50_000;
    if (this.states.size >= max && !this.states.has(id)) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
    this.states.delete(id);
    this.states.set(id, state);
  }
}
