import { describe, expect, it } from '@jest/globals';
import { MediaPacer } from '../../src/http/media-pacer.js';

describe('MediaPacer', () => {
  it('holds a transfer that is ahead of its rate, for as long as its bytes need', () => {
    const pacer = new MediaPacer(1_000_000); // 1,000 bytes per ms
    const t = pacer.enter();
    expect(t.pace(500, 0)).toBe(0); // due at 0.5 ms: under 1 ms, goes on
    expect(t.pace(10_000, 0)).toBeCloseTo(10.5);
    t.leave();
  });

  it('shares the rate equally between open transfers', () => {
    const pacer = new MediaPacer(1_000_000);
    const a = pacer.enter();
    const b = pacer.enter();
    expect(a.pace(10_000, 0)).toBeCloseTo(20); // 500 bytes per ms each
    b.leave();
    b.leave(); // leaving twice counts once
    expect(pacer.transfers).toBe(1);
    expect(a.pace(10_000, 20)).toBeCloseTo(10); // alone again: 1,000 bytes per ms
  });

  it('gives at most 20 ms of credit to a transfer that fell behind', () => {
    const pacer = new MediaPacer(1_000_000);
    const t = pacer.enter();
    t.pace(1_000, 0);
    expect(t.pace(25_000, 1_000)).toBeCloseTo(5); // due = 1,000 − 20 + 25
  });

  it('0 means no pacing', () => {
    expect(new MediaPacer(0).enter().pace(1e9)).toBe(0);
  });
});
