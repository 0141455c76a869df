import { describe, expect, it } from 'vitest';
import { placeRows } from '../src/features/library/fixed-rows';

describe('placeRows (the recycled rows of the virtual tracks list)', () => {
  it('shows every index of the window exactly once, each at its own offset', () => {
    for (const start of [0, 1, 7, 33, 34, 99_967]) {
      const rows = placeRows(start, 34, 60);
      expect(rows.map((r) => r.key)).toEqual([...Array(34).keys()]);
      expect(rows.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(34).keys()].map((i) => start + i));
      for (const r of rows) expect(r.top).toBe(r.index * 60);
    }
  });

  it('moving the window by n rows gives n slots a new index and leaves the others alone', () => {
    const at = (start: number) => new Map(placeRows(start, 34, 60).map((r) => [r.key, r.index]));
    for (const [from, to] of [
      [0, 1],
      [10, 13],
      [500, 499],
      [200, 190],
    ] as const) {
      const a = at(from);
      const b = at(to);
      const changed = [...a.keys()].filter((k) => a.get(k) !== b.get(k));
      expect(changed).toHaveLength(Math.abs(to - from));
    }
    // A jump further than the window re-uses every slot for new indexes.
    const far = at(5000);
    expect([...at(0).keys()].every((k) => far.get(k) !== at(0).get(k))).toBe(true);
  });
});
