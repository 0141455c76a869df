import type { PlayRecord } from './ticket.js';

/** One recorded step of a play, as the folder reads it from the pending log. */
export interface PlayStep {
  /** `<kind>:<ticketId>`: unique per step. */
  id: string;
  kind: 'started' | 'completed';
  ticketId: string;
  userId: string;
  trackId: string;
  at: Date;
}

/** A track's completed plays, and the ids of the last steps folded into it (replay guard). */
export interface PlayCount {
  count: number;
  applied: string[];
}

/** Recent plays kept per user: `recentlyPlayed(first)` allows at most 100. */
export const RECENT_PLAYS_KEPT = 100;
/**
 * Step ids remembered per counter: a batch folds at most this many steps, so a batch that is
 * folded again after a crash finds every step of its own in the guard and counts none twice.
 */
export const APPLIED_IDS_KEPT = 128;
export const FOLD_BATCH = APPLIED_IDS_KEPT;

/**
 * Folds completed steps into a track's counter. Steps already in its guard are skipped, so
 * folding the same steps again changes nothing. Returns null when nothing changed.
 */
export function foldCount(current: PlayCount | null, steps: readonly PlayStep[]): PlayCount | null {
  const applied = [...(current?.applied ?? [])];
  const seen = new Set(applied);
  let count = current?.count ?? 0;
  let changed = false;
  for (const s of steps) {
    if (s.kind !== 'completed' || seen.has(s.id)) continue;
    seen.add(s.id);
    applied.push(s.id);
    count += 1;
    changed = true;
  }
  if (!changed) return null;
  return { count, applied: applied.slice(-APPLIED_IDS_KEPT) };
}

/**
 * Folds steps into a user's recent plays (newest first, at most `keep`): a start adds its play
 * once (by ticket), a completion marks it (adding it when its start is not there). Idempotent.
 * Returns null when nothing changed.
 */
export function foldRecent(current: readonly PlayRecord[], steps: readonly PlayStep[], keep = RECENT_PLAYS_KEPT): PlayRecord[] | null {
  const list = current.map((p) => ({ ...p }));
  const byTicket = new Map(list.map((p) => [p.ticketId, p]));
  let changed = false;
  for (const s of steps) {
    const entry = byTicket.get(s.ticketId);
    if (entry) {
      if (s.kind === 'completed' && !entry.completed) {
        entry.completed = true;
        changed = true;
      }
      continue;
    }
    const added: PlayRecord = { ticketId: s.ticketId, trackId: s.trackId, playedAt: s.at, completed: s.kind === 'completed' };
    list.push(added);
    byTicket.set(s.ticketId, added);
    changed = true;
  }
  if (!changed) return null;
  list.sort((a, b) => b.playedAt.getTime() - a.playedAt.getTime() || (a.ticketId < b.ticketId ? 1 : -1));
  return list.slice(0, keep);
}
