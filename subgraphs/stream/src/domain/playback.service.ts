import { randomUUID } from 'node:crypto';
import { BadUserInputError, ForbiddenError, NotFoundError, QuotaExceededError, UnauthenticatedError } from '@ytm/errors';
import { pageSize } from '@ytm/pagination';
import type { PlanRules, PlanTier } from './plan-rules.js';
import type { Clock, PlayRepository, SessionRevocations, TicketRepository, TicketSigner, TrackFiles } from './ports.js';
import { choosePlayback, FORMAT_MIME, type StreamFormat } from './stream-format.js';
import { startOfUtcDay, ticketLifetimeMs, type PlayRecord } from './ticket.js';

/** The caller as the access token says (kept apart from @ytm/auth's Viewer on purpose: only what we use). */
export interface Caller {
  id: string;
  sessionId: string;
  plan: { tier: PlanTier };
}

export interface IssuedTicket {
  url: string;
  expiresAt: Date;
  mimeType: string;
  trackId: string;
  format: StreamFormat;
  /** kbit/s of a transcode; null for ORIGINAL. */
  bitrate: number | null;
}

/** What the client asks to receive (both optional: the defaults serve the original). */
export interface PlaybackRequest {
  format?: StreamFormat;
  /** kbit/s */
  maxBitrate?: number | null;
}

export interface PlaybackQuota {
  tier: PlanTier;
  playsToday: number;
  dailyLimit: number | null;
  maxConcurrentStreams: number;
  maxBitrate: number | null;
}

export interface PlaybackServiceDeps {
  tickets: TicketRepository;
  plays: Pick<PlayRepository, 'recentlyPlayed' | 'countCompleted'>;
  sessions: SessionRevocations;
  trackFiles: TrackFiles;
  signer: TicketSigner;
  clock: Clock;
  rules: PlanRules;
  /** Base of ticket URLs: the router's public URL. */
  publicUrl: string;
  marginSeconds: number;
  maxTtlSeconds: number;
  /** How long a signed-out session is remembered: as long as its access tokens live. */
  sessionMemoryMs?: number;
  /** Told about every revoked ticket, so open streams on this replica stop at once. */
  onRevoked?: (ticketIds: string[]) => void;
  /** Told about every issued ticket, so its first Range request needs no database lookup. */
  onIssued?: (ticketId: string, at: Date) => void;
}

const MAX_ID_LENGTH = 256;

/** Issues playback tickets under the plan rules, revokes them, and reads play history. */
export class PlaybackService {
  constructor(private readonly deps: PlaybackServiceDeps) {}

  async requestPlayback(caller: Caller, trackId: string, request: PlaybackRequest = {}): Promise<IssuedTicket> {
    const { tickets, sessions, trackFiles, signer, clock, rules } = this.deps;
    if (trackId.length === 0 || trackId.length > MAX_ID_LENGTH) throw new BadUserInputError('trackId is not a valid track ID', 'trackId');
    const rule = rules[caller.plan.tier];
    const now = clock.now();
    if (await sessions.has(caller.sessionId, now)) throw new UnauthenticatedError('This session was signed out');
    const file = await trackFiles.get(trackId);
    if (!file) throw new NotFoundError(`Track ${trackId} not found`);
    const choice = choosePlayback(request.format ?? 'ORIGINAL', request.maxBitrate, rule.maxBitrate, file);
    const transcode = choice.format === 'ORIGINAL' || choice.bitrate === null ? undefined : { format: choice.format, bitrate: choice.bitrate };
    const ticket = {
      id: randomUUID(),
      userId: caller.id,
      sessionId: caller.sessionId,
      trackId,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + ticketLifetimeMs(file.durationSeconds, this.deps.marginSeconds, this.deps.maxTtlSeconds)),
    };
    if (!(await tickets.create(ticket, startOfUtcDay(now), rule.dailyLimit))) {
      throw new QuotaExceededError(`The ${caller.plan.tier} plan allows ${rule.dailyLimit ?? 0} plays a day; the limit resets at 00:00 UTC`);
    }
    // A sign-out between the check above and the insert did not see this ticket. RevokeTickets
    // records the session before it reads the open tickets, and this reads the session after the
    // insert: one of the two sees the other.
    if (await sessions.has(caller.sessionId, now)) {
      const revoked = await tickets.revoke([ticket.id], now);
      if (revoked.length > 0) this.deps.onRevoked?.(revoked);
      throw new UnauthenticatedError('This session was signed out');
    }
    this.deps.onIssued?.(ticket.id, now);
    await this.enforceConcurrency(caller.id, rule.maxConcurrentStreams, now);
    const token = signer.sign({
      ticketId: ticket.id,
      userId: ticket.userId,
      sessionId: ticket.sessionId,
      trackId,
      expiresAt: ticket.expiresAt,
      ...(transcode ? { transcode } : {}),
    });
    return {
      url: `${this.deps.publicUrl}/stream/${token}`,
      expiresAt: ticket.expiresAt,
      mimeType: transcode ? FORMAT_MIME[transcode.format].cached : file.mimeType,
      trackId,
      format: transcode?.format ?? 'ORIGINAL',
      bitrate: transcode?.bitrate ?? null,
    };
  }

  /**
   * Keeps the newest `max` tickets. Runs after the insert, so of two replicas racing the later
   * one sees both new tickets and trims correctly: the count holds across replicas.
   */
  private async enforceConcurrency(userId: string, max: number, now: Date): Promise<void> {
    const active = await this.deps.tickets.listActive(userId, now);
    const excess = active.slice(max).map((t) => t.id);
    if (excess.length === 0) return;
    const revoked = await this.deps.tickets.revoke(excess, now);
    if (revoked.length > 0) this.deps.onRevoked?.(revoked);
  }

  /** Called by resource on signOut (with the session) and on plan downgrades (without). */
  async revokeTickets(userId: string, sessionId: string | undefined): Promise<number> {
    const now = this.deps.clock.now();
    if (sessionId) await this.deps.sessions.add(sessionId, new Date(now.getTime() + (this.deps.sessionMemoryMs ?? 3_600_000)));
    const revoked = await this.deps.tickets.revokeForUser(userId, sessionId, now);
    if (revoked.length > 0) this.deps.onRevoked?.(revoked);
    return revoked.length;
  }

  async quota(caller: Caller, userId: string): Promise<PlaybackQuota> {
    assertSelf(caller, userId);
    const rule = this.deps.rules[caller.plan.tier];
    const playsToday = await this.deps.tickets.countIssuedOn(caller.id, startOfUtcDay(this.deps.clock.now()));
    return { tier: caller.plan.tier, playsToday, dailyLimit: rule.dailyLimit, maxConcurrentStreams: rule.maxConcurrentStreams, maxBitrate: rule.maxBitrate };
  }

  async recentlyPlayed(caller: Caller, userId: string, first?: number | null): Promise<PlayRecord[]> {
    assertSelf(caller, userId);
    return this.deps.plays.recentlyPlayed(userId, pageSize(first));
  }

  playCounts(trackIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.plays.countCompleted(trackIds);
  }
}

function assertSelf(caller: Caller, userId: string): void {
  if (caller.id !== userId) throw new ForbiddenError('Only the user themself may read this');
}
