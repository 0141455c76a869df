import type { Logger } from '@ytm/logger';
import type { PlayRepository } from './ports.js';
import type { TicketClaims, TrackFile } from './ticket.js';

/** A play counts once 30 s, or half the track when that is shorter, has been served. */
export const PLAY_THRESHOLD_SECONDS = 30;

/** Bytes that stand for the threshold: audio is assumed evenly spread over the file. */
export function playThresholdBytes(file: Pick<TrackFile, 'size' | 'durationSeconds'>): number {
  if (file.size <= 0) return 0;
  if (!(file.durationSeconds > 0)) return Math.ceil(file.size / 2);
  const seconds = Math.min(PLAY_THRESHOLD_SECONDS, file.durationSeconds / 2);
  return Math.ceil((file.size * seconds) / file.durationSeconds);
}

/**
 * Byte intervals kept per ticket. A player asks for a handful of ranges; a client sending tiny
 * ranges spaced apart would otherwise grow the list (and each update's work) without bound.
 */
export const MAX_SERVED_INTERVALS = 1_024;

interface PlayState {
  claims: TicketClaims;
  /** Disjoint, sorted half-open intervals [start, end) of bytes served (at most MAX_SERVED_INTERVALS). */
  served: Array<[number, number]>;
  covered: number;
  threshold: number;
  started: boolean;
  completed: boolean;
}

/**
 * Counts the distinct bytes served per ticket on this replica (re-reads after a seek count
 * once) and records the play's start and completion once. The database writes are inserts keyed
 * by ticket, so replicas and retries never count a ticket twice.
 */
export class PlayTracker {
  private readonly plays = new Map<string, PlayState>();

  constructor(
    private readonly tickets: Pick<PlayRepository, 'markStarted' | 'markCompleted'>,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Bytes [start, end) of the ticket's file were just sent. */
  served(claims: TicketClaims, file: TrackFile, start: number, end: number): void {
    if (end <= start) return;
    const state = this.plays.get(claims.ticketId) ?? { claims, served: [], covered: 0, threshold: playThresholdBytes(file), started: false, completed: false };
    this.plays.set(claims.ticketId, state);
    if (!state.started) {
      state.started = true;
      this.write(
        () => this.tickets.markStarted(claims, this.now()),
        'play start',
        () => (state.started = false),
      );
    }
    if (state.completed) return;
    state.covered = addInterval(state.served, start, end, state.covered);
    if (state.covered >= state.threshold) {
      state.completed = true;
      this.write(
        () => this.tickets.markCompleted(claims, this.now()),
        'play completion',
        () => (state.completed = false),
      );
    }
  }

  /** Forgets plays whose tickets expired (their requests fail from now on anyway). */
  sweep(now = this.now()): void {
    for (const [id, s] of this.plays) if (s.claims.expiresAt <= now) this.plays.delete(id);
  }

  get size(): number {
    return this.plays.size;
  }

  /** What this replica has counted of a ticket's play so far (undefined before its first byte). */
  progress(ticketId: string): { covered: number; threshold: number; started: boolean; completed: boolean } | undefined {
    const state = this.plays.get(ticketId);
    return state && { covered: state.covered, threshold: state.threshold, started: state.started, completed: state.completed };
  }

  /** On failure the flag is reset, so the next bytes served try again. */
  private write(run: () => Promise<boolean>, what: string, undo: () => void): void {
    run().catch((err: unknown) => {
      undo();
      this.logger.error({ err: (err as Error).message }, `could not record ${what}`);
    });
  }
}

/**
 * Merges [start, end) into sorted disjoint intervals in place; returns the new covered length.
 * Past MAX_SERVED_INTERVALS the two intervals with the smallest gap between them are merged: the
 * gap's bytes then count as served, so the count may run ahead of the bytes really sent (never
 * behind them). Each such merge adds at most 1/1,024 of the bytes not yet served; only a client
 * asking for over a thousand separate ranges of one ticket gets there.
 */
export function addInterval(list: Array<[number, number]>, start: number, end: number, covered: number): number {
  let s = start;
  let e = end;
  // The first interval ending at or after `start`.
  let i = 0;
  let hi = list.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if ((list[mid] as [number, number])[1] < s) i = mid + 1;
    else hi = mid;
  }
  let j = i;
  let removed = 0;
  while (j < list.length && (list[j] as [number, number])[0] <= e) {
    const [a, b] = list[j] as [number, number];
    s = Math.min(s, a);
    e = Math.max(e, b);
    removed += b - a;
    j++;
  }
  list.splice(i, j - i, [s, e]);
  const next = covered - removed + (e - s);
  return list.length > MAX_SERVED_INTERVALS ? next + mergeClosest(list) : next;
}

/** Merges the two neighbours with the smallest gap; returns the gap's bytes, now counted as served. */
function mergeClosest(list: Array<[number, number]>): number {
  let at = 0;
  let gap = Infinity;
  for (let k = 0; k + 1 < list.length; k++) {
    const g = (list[k + 1] as [number, number])[0] - (list[k] as [number, number])[1];
    if (g < gap) {
      gap = g;
      at = k;
    }
  }
  list.splice(at, 2, [(list[at] as [number, number])[0], (list[at + 1] as [number, number])[1]]);
  return gap;
}
