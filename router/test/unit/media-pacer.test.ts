import { describe, expect, it } from '@jest/globals';
import { MediaPacer, watchLoopLag } from '../../src/http/media-pacer.js';

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

  describe('adapting to event-loop lag', () => {
    it('backs off by 30 % for each late sample, down to the floor', () => {
      const pacer = new MediaPacer(1_000_000, { lagTargetMs: 5, minBytesPerSecond: 200_000, minTransferBytesPerSecond: 0 });
      const t = pacer.enter();
      pacer.observeLag(12);
      expect(pacer.rate).toBeCloseTo(700_000);
      expect(t.pace(7_000, 0)).toBeCloseTo(10); // 700 bytes per ms now
      for (let i = 0; i < 20; i++) pacer.observeLag(50);
      expect(pacer.rate).toBe(200_000);
      t.leave();
    });

    it('climbs back by 2 % of the ceiling for each timely sample, never above it', () => {
      const pacer = new MediaPacer(1_000_000, { lagTargetMs: 5, minTransferBytesPerSecond: 0 });
      const t = pacer.enter();
      pacer.observeLag(100);
      pacer.observeLag(2);
      expect(pacer.rate).toBeCloseTo(720_000);
      pacer.observeLag(5); // at the target is timely
      expect(pacer.rate).toBeCloseTo(740_000);
      for (let i = 0; i < 100; i++) pacer.observeLag(1);
      expect(pacer.rate).toBe(1_000_000);
      t.leave();
    });

    it('never backs off below what the open transfers need to play', () => {
      const pacer = new MediaPacer(1_000_000, { minBytesPerSecond: 10_000, minTransferBytesPerSecond: 100_000 });
      const transfers = [pacer.enter(), pacer.enter(), pacer.enter()];
      for (let i = 0; i < 50; i++) pacer.observeLag(100);
      expect(pacer.rate).toBe(300_000); // 3 × 100 kB/s, not the 10 kB/s floor
      expect(transfers[0]?.pace(1_000, 0)).toBeCloseTo(10); // 100 bytes per ms each
      for (let i = 0; i < 20; i++) pacer.enter();
      expect(pacer.rate).toBe(1_000_000); // 23 transfers need more than the ceiling: the ceiling
      for (const t of transfers) t.leave();
    });

    it('floors at 1/32 of the ceiling by default', () => {
      const pacer = new MediaPacer(3_200_000, { minTransferBytesPerSecond: 0 });
      pacer.enter();
      for (let i = 0; i < 50; i++) pacer.observeLag(1_000);
      expect(pacer.rate).toBe(100_000);
    });

    it('ignores lag while nothing is relayed, garbage samples, and an unpaced relay', () => {
      const idle = new MediaPacer(1_000_000);
      idle.observeLag(100); // someone else's work: the relay is idle
      expect(idle.rate).toBe(1_000_000);
      const busy = new MediaPacer(1_000_000);
      busy.enter();
      busy.observeLag(Number.NaN);
      busy.observeLag(Number.POSITIVE_INFINITY);
      expect(busy.rate).toBe(1_000_000);
      const unpaced = new MediaPacer(0);
      const t = unpaced.enter();
      unpaced.observeLag(100);
      expect(t.pace(1e9)).toBe(0);
    });
  });
});

describe('watchLoopLag', () => {
  it('reports how long the event loop was blocked, and nothing after it is stopped', async () => {
    const seen: number[] = [];
    const stop = watchLoopLag((lag) => seen.push(lag), 5, 20);
    await new Promise((r) => setTimeout(r, 60));
    const busyUntil = performance.now() + 40;
    while (performance.now() < busyUntil); // a 40 ms block
    await new Promise((r) => setTimeout(r, 60));
    stop();
    const count = seen.length;
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(30);
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).toHaveLength(count);
  });
});
