import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../../src/backoff.js';

const options = { initialMs: 100, maxMs: 1_000 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([1, 2, 3, 4, 5, 10, 50].map(top)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('jitters within the upper half', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelay(3, options);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});
