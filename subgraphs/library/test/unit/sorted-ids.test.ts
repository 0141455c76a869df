import { describe, expect, it } from '@jest/globals';
import { compareKeys, type SortKey } from '../../src/domain/pagination.js';
import { SortedIds } from '../../src/domain/sorted-ids.js';

/** A keyed set of IDs standing in for a catalogue; `reads` counts key computations. */
function source() {
  const keys = new Map<string, number>();
  const counter = { reads: 0 };
  return {
    keys,
    counter,
    src: {
      all: () => keys.keys(),
      has: (id: string) => keys.has(id),
      keyOf: (id: string): SortKey => {
        counter.reads += 1;
        return [keys.get(id)!, id];
      },
    },
    oracle: () => [...keys].sort((a, b) => compareKeys([a[1], a[0]], [b[1], b[0]])).map(([id]) => id),
  };
}

/** A seeded pseudo-random generator, so a failure repeats. */
function rng(seed: number) {
  // mulberry32: a seeded generator whose low bits are as random as its high ones.
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

describe('SortedIds', () => {
  it('builds the order on first read, ties broken by ID', () => {
    const { keys, src } = source();
    for (const [id, k] of [
      ['b', 2],
      ['a', 2],
      ['c', 1],
      ['d', 3],
    ] as const)
      keys.set(id, k);
    expect(new SortedIds(src).current()).toEqual(['c', 'a', 'b', 'd']);
  });

  it('stays equal to a fresh sort through random adds, removes and key changes', () => {
    const { keys, src, oracle } = source();
    const pick = rng(42);
    for (let i = 0; i < 2_000; i++) keys.set(`t${i}`, pick(500));
    const sorted = new SortedIds(src);
    expect(sorted.current()).toEqual(oracle());
    let next = 2_000;
    for (let round = 0; round < 200; round++) {
      // 1–20 changes per round: the incremental path (a rebuild needs over 1/16 of the size).
      for (let c = 1 + pick(20); c > 0; c--) {
        const op = pick(3);
        const ids = [...keys.keys()];
        const id = ids[pick(ids.length)]!;
        if (op === 0) keys.set(`t${next++}`, pick(500));
        else if (op === 1) keys.delete(id);
        else keys.set(id, pick(500));
        sorted.touch(op === 0 ? `t${next - 1}` : id);
      }
      expect(sorted.current()).toEqual(oracle());
    }
  });

  it('updates a few changes with a binary search each, not a key per item', () => {
    const { keys, src, counter, oracle } = source();
    for (let i = 0; i < 10_000; i++) keys.set(`t${i}`, i);
    const sorted = new SortedIds(src);
    sorted.current();
    counter.reads = 0;
    keys.set('new', 5_000.5);
    keys.delete('t7');
    keys.set('t9000', -1);
    for (const id of ['new', 't7', 't9000']) sorted.touch(id);
    expect(sorted.current()).toEqual(oracle());
    expect(counter.reads).toBeLessThan(2 * 16 + 4);
    counter.reads = 0;
    expect(sorted.current()).toEqual(oracle());
    expect(counter.reads).toBe(0);
  });

  it('rebuilds after many changes at once, and keeps arrays it handed out unchanged', () => {
    const { keys, src, oracle } = source();
    for (let i = 0; i < 1_000; i++) keys.set(`t${i}`, i);
    const sorted = new SortedIds(src);
    const before = sorted.current();
    const copy = [...before];
    for (let i = 0; i < 1_000; i += 2) {
      keys.set(`t${i}`, 1_000 - i);
      sorted.touch(`t${i}`);
    }
    expect(sorted.current()).toEqual(oracle());
    expect(before).toEqual(copy);
    keys.delete('t1');
    sorted.touch('t1');
    const after = sorted.current();
    expect(after).toEqual(oracle());
    expect(after).not.toContain('t1');
  });
});
