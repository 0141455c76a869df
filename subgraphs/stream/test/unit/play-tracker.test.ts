import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { addInterval, MAX_SERVED_INTERVALS, playThresholdBytes, PlayTracker } from '../../src/domain/play-tracker.js';

const claims = { ticketId: 'j', userId: 'u', sessionId: 's', trackId: 't', expiresAt: new Date(Date.now() + 60_000) };

describe('play threshold', () => {
  it('is 30 s of audio, or half the track when shorter', () => {
    expect(playThresholdBytes({ size: 6000, durationSeconds: 300 })).toBe(600);
    expect(playThresholdBytes({ size: 6000, durationSeconds: 40 })).toBe(3000);
    expect(playThresholdBytes({ size: 6000, durationSeconds: 0 })).toBe(3000);
  });

  it('merges intervals and counts distinct bytes', () => {
    const list: Array<[number, number]> = [];
    let c = addInterval(list, 10, 20, 0);
    c = addInterval(list, 30, 40, c);
    c = addInterval(list, 15, 35, c);
    c = addInterval(list, 0, 5, c);
    expect(list).toEqual([
      [0, 5],
      [10, 40],
    ]);
    expect(c).toBe(35);
  });

  it('keeps at most MAX_SERVED_INTERVALS against hostile 1-byte ranges spaced apart, counting never less than was served', () => {
    const list: Array<[number, number]> = [];
    let c = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) c = addInterval(list, i * 10, i * 10 + 1, c);
    // And as many again in a scattered order, between those.
    for (let i = 0; i < n; i++) {
      const at = ((i * 7_919) % n) * 10 + 5;
      c = addInterval(list, at, at + 1, c);
    }
    expect(MAX_SERVED_INTERVALS).toBe(1_024);
    expect(list.length).toBeLessThanOrEqual(MAX_SERVED_INTERVALS);
    // Sorted, disjoint, and the count is what they cover: merged gaps count as served (over, never under).
    for (let k = 1; k < list.length; k++) expect((list[k] as [number, number])[0]).toBeGreaterThan((list[k - 1] as [number, number])[1]);
    expect(c).toBe(list.reduce((sum, [a, b]) => sum + b - a, 0));
    expect(c).toBeGreaterThanOrEqual(2 * n);
    expect(c).toBeLessThanOrEqual(n * 10);
    // Bytes already inside a merged span change nothing.
    expect(addInterval(list, 3, 4, c)).toBe(c);
  });
});

describe('PlayTracker', () => {
  it('records the start at the first byte and the completion once, at the threshold', async () => {
    const calls: string[] = [];
    const tracker = new PlayTracker(
      { markStarted: async () => (calls.push('started'), true), markCompleted: async () => (calls.push('completed'), true) },
      createLogger({ name: 't', level: 'silent' }),
    );
    const file = { trackId: 't', path: '/x', size: 1000, mtimeMs: 0, mimeType: 'audio/mpeg', durationSeconds: 100 }; // threshold 300 bytes
    tracker.served(claims, file, 0, 200);
    tracker.served(claims, file, 0, 200);
    expect(calls).toEqual(['started']);
    tracker.served(claims, file, 150, 299);
    expect(calls).toEqual(['started']);
    tracker.served(claims, file, 299, 301);
    tracker.served(claims, file, 0, 1000);
    expect(calls).toEqual(['started', 'completed']);
  });

  it('retries a write that failed on the next bytes served', async () => {
    let fail = true;
    const started: number[] = [];
    const tracker = new PlayTracker(
      {
        markStarted: async () => {
          if (fail) throw new Error('db down');
          started.push(1);
          return true;
        },
        markCompleted: async () => true,
      },
      createLogger({ name: 't', level: 'silent' }),
    );
    const file = { trackId: 't', path: '/x', size: 1000, mtimeMs: 0, mimeType: 'audio/mpeg', durationSeconds: 100 };
    tracker.served(claims, file, 0, 10);
    await new Promise((r) => setImmediate(r));
    fail = false;
    tracker.served(claims, file, 10, 20);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1]);
  });
});
