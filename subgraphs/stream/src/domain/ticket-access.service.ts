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
 */
export class TicketAccessService {
  private readonly states = new Map<string, CachedState>();

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
    const now = Date.now();
    for (const id of ticketIds) this.remember(id, { revoked: true, checkedAt: now + 3_600_000 });
  }

  private async isRevoked(ticketId: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.states.get(ticketId);
    if (cached && (cached.revoked || now - cached.checkedAt < this.deps.revocationCheckMs)) return cached.revoked;
    const state = await this.deps.tickets.findRevocation(ticketId);
    // A valid signature for a ticket we have no record of (another deployment's database): refuse.
    if (!state) throw new TicketRejectedError('TICKET_INVALID');
    const revoked = state.revokedAt !== null;
    this.remember(ticketId, { revoked, checkedAt: now });
    return revoked;
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
