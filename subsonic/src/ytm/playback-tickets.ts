import { notFound } from '../format/response.js';

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

interface Ticket {
  url: string;
  expiresAt: number;
}

/**
 * Playback tickets from stream (`requestPlayback`), kept per user and track until shortly before
 * they expire: a player's Range requests while seeking reuse one ticket instead of spending the
 * user's daily quota on each. A ticket stream revoked (a newer stream took the user's only slot)
 * is dropped and replaced on the next request.
 */
export class PlaybackTickets {
  private readonly tickets = new Map<string, Ticket>();

  async get(gql: Query, userId: string, trackId: string): Promise<Ticket> {
    const key = `${userId}\0${trackId}`;
    const hit = this.tickets.get(key);
    if (hit && hit.expiresAt - 30_000 > Date.now()) return hit;
    const d = await gql<{ requestPlayback: { url: string; expiresAt: string } | null }>(
      'mutation($id: ID!) { requestPlayback(trackId: $id) { url expiresAt } }',
      {
        id: trackId,
      },
    );
    if (!d.requestPlayback) throw notFound('Song');
    const ticket = { url: d.requestPlayback.url, expiresAt: Date.parse(d.requestPlayback.expiresAt) };
    this.tickets.set(key, ticket);
    if (this.tickets.size > 50_000) this.sweep();
    return ticket;
  }

  drop(userId: string, trackId: string): void {
    this.tickets.delete(`${userId}\0${trackId}`);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
  }
}
