import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { addInterval, playThresholdBytes, PlayTracker } from '../../src/domain/play-tracker.js';

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
