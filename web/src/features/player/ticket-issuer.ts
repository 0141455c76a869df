import { chooseFormat, transcodeFor, type StreamFormat } from './formats';
import type { QueueTrack } from './queue';
import type { Ticket } from './tickets';

export interface TicketSource {
  /** requestPlayback: resolves with a same-origin URL, rejects with a TicketError. */
  requestTicket: (trackId: string, format: StreamFormat) => Promise<{ url: string; expiresAt: number; mimeType?: string; format?: StreamFormat }>;
  /** `audio.canPlayType(type) !== ''`; unset: everything plays. */
  canPlay?: (type: string) => boolean;
  /** Unexpired tickets the plan lets a user hold (FREE: 1): more revokes the oldest. */
  maxStreams: () => number;
}

/** Tickets of this tab, numbered in order of issue, each in a format this browser plays. */
export class TicketIssuer {
  private seq = 0;

  constructor(private readonly source: TicketSource) {}

  /**
   * A ticket in a format this browser plays: ORIGINAL when `canPlayType` accepts the file's type,
   * else a transcode (OPUS, or MP3 where OPUS does not play). A track without its format (a queue
   * stored by an older version) asks for ORIGINAL, and again for a transcode when the ticket's
   * type turns out unplayable.
   */
  async forTrack(track: QueueTrack): Promise<Ticket> {
    const canPlay = this.source.canPlay ?? (() => true);
    const format = chooseFormat(track.format, canPlay);
    const t = await this.issue(track.id, format);
    if (format === 'ORIGINAL' && !track.format && t.mimeType && !canPlay(t.mimeType)) return this.issue(track.id, transcodeFor(canPlay));
    return t;
  }

  /** A ticket for `trackId` in the format asked for (a renewal asks for the same again). */
  async issue(trackId: string, requested: StreamFormat): Promise<Ticket & { mimeType?: string }> {
    const t = await this.source.requestTicket(trackId, requested);
    return { trackId, url: t.url, expiresAt: t.expiresAt, seq: ++this.seq, requested, mimeType: t.mimeType };
  }

  /** A newer ticket of this tab revoked `t`: the plan's stream limit was passed since it was issued. */
  revokedByUs(t: Ticket): boolean {
    return this.seq - t.seq >= this.source.maxStreams();
  }

  /** One stream only: a new ticket revokes the one playing. */
  get singleStream(): boolean {
    return this.source.maxStreams() < 2;
  }
}
