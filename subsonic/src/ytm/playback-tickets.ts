import { notFound } from '../format/response.js';

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export type StreamFormat = 'ORIGINAL' | 'OPUS' | 'MP3' | 'AAC';

/** What the client asked for: a format (ORIGINAL = the file) and a bitrate ceiling in kbit/s. */
export interface Wanted {
  format: StreamFormat;
  maxBitrate: number | null;
}

interface Ticket {
  url: string;
  expiresAt: number;
  /** What the URL serves: ORIGINAL, or stream's transcode (OPUS, MP3, AAC). */
  format: StreamFormat;
}

const ORIGINAL: Wanted = { format: 'ORIGINAL', maxBitrate: null };
const keyOf = (userId: string, trackId: string, w: Wanted) => `${userId}\0${trackId}\0${w.format}\0${w.maxBitrate ?? ''}`;

/**
 * Playback tickets from stream (`requestPlayback`), kept per user, track and format until shortly
 * before they expire: a player's Range requests while seeking reuse one ticket instead of
 * spending the user's daily quota on each. A ticket stream revoked (a newer stream took the
 * user's only slot) is dropped and replaced on the next request.
 */
export class PlaybackTickets {
  private readonly tickets = new Map<string, Ticket>();

  async get(gql: Query, userId: string, trackId: string, wanted: Wanted = ORIGINAL): Promise<Ticket> {
    const key = keyOf(userId, trackId, wanted);
    const hit = this.tickets.get(key);
    if (hit && hit.expiresAt - 30_000 > Date.now()) return hit;
    const d = await gql<{ requestPlayback: { url: string; expiresAt: string; format: StreamFormat } | null }>(
      'mutation($id: ID!, $format: StreamFormat, $max: Int) { requestPlayback(trackId: $id, format: $format, maxBitrate: $max) { url expiresAt format } }',
      { id: trackId, format: wanted.format, max: wanted.maxBitrate },
    );
    if (!d.requestPlayback) throw notFound('Song');
    const ticket = { url: d.requestPlayback.url, expiresAt: Date.parse(d.requestPlayback.expiresAt), format: d.requestPlayback.format };
    this.tickets.set(key, ticket);
    if (this.tickets.size > 50_000) this.sweep();
    return ticket;
  }

  drop(userId: string, trackId: string, wanted: Wanted = ORIGINAL): void {
    this.tickets.delete(keyOf(userId, trackId, wanted));
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
  }
}
