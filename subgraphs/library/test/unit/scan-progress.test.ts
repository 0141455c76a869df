import { describe, expect, it, jest } from '@jest/globals';
import type { ScanStatus } from '../../src/domain/model.js';
import { SCAN_COUNTERS } from '@ytm/events';
import { idleStatus, ScanProgress } from '../../src/domain/scan-progress.js';
import { scanProgressEvent } from '../../src/messaging/scan-progress.producer.js';

describe('ScanProgress', () => {
  it('announces at most once per interval and always the final state', () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const seen: ScanStatus[] = [];
      const p = new ScanProgress(
        (s) => seen.push(s),
        500,
        () => now,
      );
      p.begin(new Date(0));
      expect(seen).toHaveLength(0);
      jest.advanceTimersByTime(0);
      for (let i = 0; i < 100; i++) {
        now += 10;
        p.add({ filesParsed: 1 });
        jest.advanceTimersByTime(10);
      }
      p.finish(new Date(now), false);
      now += 500;
      jest.advanceTimersByTime(500);
      const times = seen.map((_, i) => i);
      expect(seen.length).toBeLessThanOrEqual(4);
      expect(times.length).toBeGreaterThan(1);
      expect(seen.at(-1)).toMatchObject({ state: 'IDLE', filesParsed: 100 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('never reports a restored RUNNING scan as running', () => {
    const p = new ScanProgress(() => undefined);
    p.restore({
      state: 'RUNNING',
      startedAt: new Date(0),
      finishedAt: null,
      filesSeen: 1,
      filesParsed: 1,
      tracksAdded: 0,
      tracksUpdated: 0,
      tracksRemoved: 0,
      errors: 0,
    });
    expect(p.status.state).toBe('FAILED');
    expect(p.running).toBe(false);
  });
});

describe('library.scan.progress', () => {
  it('carries the ScanStatus as JSON: every field, dates as ISO strings', () => {
    const startedAt = new Date('2026-01-02T03:04:05.678Z');
    const status = { ...idleStatus(), state: 'RUNNING' as const, startedAt, filesSeen: 3, errors: 1 };
    const event = scanProgressEvent(status);
    expect(event).toEqual({ ...status, startedAt: '2026-01-02T03:04:05.678Z', finishedAt: null });
    expect(Object.keys(event).sort()).toEqual(['finishedAt', 'startedAt', 'state', ...SCAN_COUNTERS].sort());
  });
});
