import type { StreamFormat } from './formats';

/** A playback ticket as the player keeps it. */
export interface Ticket {
  trackId: string;
  /** The format asked for (renewals ask for the same). */
  requested: StreamFormat;
  /** Same-origin URL of the Range endpoint (`/stream/<token>`). */
  url: string;
  expiresAt: number;
  /** Order of issue in this tab: a newer ticket may have revoked an older one (plan's stream limit). */
  seq: number;
}

export type TicketErrorCode = 'QUOTA_EXCEEDED' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'NETWORK' | 'RATE_LIMITED' | 'OTHER';

export class TicketError extends Error {
  constructor(
    readonly code: TicketErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the player shows when it cannot play, in words for a person. */
export type PlayerProblem =
  | { kind: 'quota'; message: string }
  | { kind: 'elsewhere'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'unplayable'; message: string }
  /** The server is busy (429/503): the same track is tried again after a while. */
  | { kind: 'retrying'; message: string }
  | { kind: 'signedOut'; message: string };

export function problemOf(err: unknown): PlayerProblem {
  const code = err instanceof TicketError ? err.code : 'OTHER';
  switch (code) {
    case 'QUOTA_EXCEEDED':
      return { kind: 'quota', message: 'You have reached today’s play limit on your plan. It resets at midnight (UTC).' };
    case 'NETWORK':
      return { kind: 'network', message: 'Connection lost. Playback resumes when you are back online.' };
    case 'UNAUTHENTICATED':
      return { kind: 'signedOut', message: 'Your session has ended. Sign in again to keep listening.' };
    case 'RATE_LIMITED':
      return { kind: 'network', message: 'The server is busy. Retrying in a moment…' };
    case 'NOT_FOUND':
      return { kind: 'unplayable', message: 'This track is no longer in the library.' };
    case 'OTHER':
      return { kind: 'unplayable', message: 'This track cannot be played right now.' };
  }
}

/** The ticket URL on this page's origin (the router serves both), so CSP and cookies never differ. */
export function sameOrigin(url: string, origin: string): string {
  try {
    const u = new URL(url, origin);
    return u.pathname.startsWith('/stream/') || u.pathname.startsWith('/art/') ? `${origin}${u.pathname}${u.search}` : url;
  } catch {
    return url;
  }
}

/** A Retry-After header (seconds, or an HTTP date) in seconds from `now`; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1_000);
}
