import { describe, expect, it } from '@jest/globals';
import { APPLIED_IDS_KEPT, foldCount, foldRecent, type PlayStep } from '../../src/domain/play-stats.js';

const step = (kind: PlayStep['kind'], ticket: string, at: number, trackId = 't'): PlayStep => ({
  id: `${kind}:${ticket}`,
  kind,
  ticketId: ticket,
  userId: 'u',
  trackId,
  at: new Date(at),
});

describe('foldCount', () => {
  it('counts completed steps once, whatever is folded again', () => {
    const first = foldCount(null, [step('started', 'a', 1), step('completed', 'a', 2), step('completed', 'b', 3)]);
    expect(first?.count).toBe(2);
    expect(foldCount(first, [step('completed', 'a', 2), step('completed', 'b', 3)])).toBeNull();
    expect(foldCount(first, [step('completed', 'c', 4), step('completed', 'c', 4)])?.count).toBe(3);
  });

  it('remembers only the last steps it counted', () => {
    const steps = Array.from({ length: APPLIED_IDS_KEPT + 10 }, (_, i) => step('completed', `k${i}`, i));
    const folded = foldCount({ count: 5, applied: [] }, steps);
    expect(folded?.count).toBe(5 + APPLIED_IDS_KEPT + 10);
    expect(folded?.applied).toHaveLength(APPLIED_IDS_KEPT);
    expect(folded?.applied[0]).toBe('completed:k10');
  });
});

describe('foldRecent', () => {
  it('adds a play at its start, marks it at completion, newest first, and is idempotent', () => {
    const a = foldRecent([], [step('started', 'a', 1), step('started', 'b', 5), step('completed', 'a', 3)]);
    expect(a?.map((p) => [p.ticketId, p.completed])).toEqual([
      ['b', false],
      ['a', true],
    ]);
    expect(foldRecent(a ?? [], [step('started', 'a', 1), step('completed', 'a', 3)])).toBeNull();
  });

  it('adds a completion whose start it never saw, and keeps the newest', () => {
    const list = foldRecent([], [step('completed', 'x', 10), step('started', 'y', 20), step('started', 'z', 1)], 2);
    expect(list?.map((p) => [p.ticketId, p.completed])).toEqual([
      ['y', false],
      ['x', true],
    ]);
  });
});
