import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PLAN_RULES } from '../../src/domain/plan-rules.js';
import { PlaybackService, type PlaybackServiceDeps } from '../../src/domain/playback.service.js';
import type { NewTicket, TicketRepository } from '../../src/domain/ports.js';
import type { Ticket } from '../../src/domain/ticket.js';

/** In-memory TicketRepository with the same contract as the Mongo one. */
class MemoryTickets implements TicketRepository {
  readonly rows: Ticket[] = [];
  async create(t: NewTicket, dayStart: Date, limit: number | null) {
    if (limit !== null && (await this.countIssuedOn(t.userId, dayStart)) >= limit) return false;
    this.rows.push({ ...t, revokedAt: null });
    return true;
  }
  async countIssuedOn(userId: string, since: Date) {
    return this.rows.filter((t) => t.userId === userId && t.issuedAt >= since).length;
  }
  async listActive(userId: string, now: Date) {
    return this.rows.filter((t) => t.userId === userId && !t.revokedAt && t.expiresAt > now).sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime());
  }
  async revoke(ids: string[], now: Date) {
    const hit = this.rows.filter((t) => ids.includes(t.id) && !t.revokedAt);
    for (const t of hit) t.revokedAt = now;
    return hit.map((t) => t.id);
  }
  async revokeForUser(userId: string, sessionId: string | undefined, now: Date) {
    return this.revoke(
      this.rows.filter((t) => t.userId === userId && (!sessionId || t.sessionId === sessionId)).map((t) => t.id),
      now,
    );
  }
  async findRevocation(id: string) {
    const t = this.rows.find((r) => r.id === id);
    return t ? { revokedAt: t.revokedAt } : null;
  }
  async findRevoked(ids: string[]) {
    return this.rows.filter((t) => ids.includes(t.id) && t.revokedAt).map((t) => t.id);
  }
}

function setup(
  durationSeconds = 200,
  plays: PlaybackServiceDeps['plays'] = { recentlyPlayed: async () => [], countCompleted: async () => new Map() },
  /** Holds the library's answer (a slow library). */
  library: () => Promise<void> = async () => undefined,
) {
  let now = new Date('2026-03-01T23:59:00Z');
  const tickets = new MemoryTickets();
  const revokedSessions = new Set<string>();
  const revoked: string[] = [];
  const service = new PlaybackService({
    tickets,
    plays,
    sessions: { add: async (id) => void revokedSessions.add(id), has: async (id) => revokedSessions.has(id) },
    trackFiles: {
      get: async (id) => {
        await library();
        return id === 'missing' ? null : { trackId: id, path: '/x', size: 1000, mtimeMs: 0, mimeType: 'audio/flac', durationSeconds };
      },
    },
    signer: { sign: (c) => `tok-${c.ticketId}`, verify: () => Promise.reject() as never },
    clock: { now: () => now },
    rules: DEFAULT_PLAN_RULES,
    publicUrl: 'https://music.example',
    marginSeconds: 300,
    maxTtlSeconds: 3600,
    onRevoked: (ids) => revoked.push(...ids),
  });
  return { service, tickets, revoked, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const free = { id: 'u1', sessionId: 's1', plan: { tier: 'FREE' as const } };
const premium = { id: 'u2', sessionId: 's2', plan: { tier: 'PREMIUM' as const } };

describe('PlaybackService', () => {
  it('issues a ticket URL on the public base, expiring after the track plus the margin, capped', async () => {
    const { service } = setup(200);
    const t = await service.requestPlayback(free, 'track-1');
    expect(t.url).toMatch(/^https:\/\/music\.example\/stream\/tok-/);
    expect(t.mimeType).toBe('audio/flac');
    expect(t.expiresAt.toISOString()).toBe('2026-03-02T00:07:20.000Z');
    const long = await setup(10 * 3600).service.requestPlayback(premium, 'mix');
    expect(long.expiresAt.toISOString()).toBe('2026-03-02T00:59:00.000Z');
  });

  it('FREE: 50 a day (reset at 00:00 UTC); one concurrent ticket', async () => {
    const { service, revoked, advance } = setup();
    const first = await service.requestPlayback(free, 'a');
    advance(1);
    await service.requestPlayback(free, 'b');
    expect(revoked).toEqual([first.url.split('tok-')[1]]);
    for (let i = 2; i < 50; i++) await service.requestPlayback(free, 'c');
    await expect(service.requestPlayback(free, 'c')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(await service.quota(free, 'u1')).toEqual({ tier: 'FREE', playsToday: 50, dailyLimit: 50, maxConcurrentStreams: 1, maxBitrate: null });
    advance(60_000); // past midnight UTC
    await expect(service.requestPlayback(free, 'c')).resolves.toBeDefined();
    expect((await service.quota(free, 'u1')).playsToday).toBe(1);
  });

  it('PREMIUM: no daily limit, three concurrent tickets', async () => {
    const { service, revoked } = setup();
    for (let i = 0; i < 60; i++) await service.requestPlayback(premium, 't');
    expect(revoked).toHaveLength(57);
  });

  it('unknown track: NOT_FOUND; signed-out session: UNAUTHENTICATED; others: FORBIDDEN', async () => {
    const { service } = setup();
    await expect(service.requestPlayback(free, 'missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.requestPlayback(free, '')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await service.requestPlayback(free, 'a');
    expect(await service.revokeTickets('u1', 's1')).toBe(1);
    await expect(service.requestPlayback(free, 'a')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(service.quota(free, 'u2')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.recentlyPlayed(free, 'u2', 5)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a sign-out while the library is asked: the ticket made after it is revoked and the caller is answered as signed out', async () => {
    let asked: () => void = () => undefined;
    const libraryAsked = new Promise<void>((resolve) => (asked = resolve));
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const { service, tickets, revoked } = setup(200, undefined, () => {
      asked();
      return answered;
    });
    const request = service.requestPlayback(free, 'a');
    await libraryAsked;
    // RevokeTickets(session) runs after the session check and before the ticket exists: nothing to revoke yet.
    expect(await service.revokeTickets('u1', 's1')).toBe(0);
    answer();
    await expect(request).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(tickets.rows).toHaveLength(1);
    expect(tickets.rows[0]?.revokedAt).not.toBeNull();
    expect(revoked).toEqual([tickets.rows[0]?.id]);
    expect(await tickets.listActive('u1', new Date('2026-03-01T23:59:30Z'))).toEqual([]);
  });

  it('recentlyPlayed takes the contract’s `first`: 1..100, default 25; 0 and over 100 are BAD_USER_INPUT', async () => {
    const asked: number[] = [];
    const { service: recording } = setup(200, { recentlyPlayed: async (_user, n) => (asked.push(n), []), countCompleted: async () => new Map() });
    await recording.recentlyPlayed(free, 'u1', 1);
    await recording.recentlyPlayed(free, 'u1', 100);
    await recording.recentlyPlayed(free, 'u1', undefined);
    expect(asked).toEqual([1, 100, 25]);
    for (const bad of [0, -1, 101, 1.5])
      await expect(recording.recentlyPlayed(free, 'u1', bad)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'first' } });
    expect(asked).toHaveLength(3);
  });
});
