import { describe, expect, it } from '@jest/globals';
import { applyChanges, listChanges, mergeChanges, type ElementChange } from '../../src/persistence/read-model.js';

interface E {
  id: string;
  n: number;
  at?: Date;
}
const key = (e: E) => e.id;

describe('list changes (a list model’s versions)', () => {
  it('lists what was added, changed and removed; an equal element read again is no change', () => {
    const base: E[] = [
      { id: 'a', n: 1, at: new Date(1000) },
      { id: 'b', n: 2 },
      { id: 'c', n: 3 },
    ];
    // `a` as a new object with equal contents (as read back from the store), `b` changed, `c` gone, `d` new.
    const next: E[] = [
      { id: 'a', n: 1, at: new Date(1000) },
      { id: 'b', n: 20 },
      { id: 'd', n: 4 },
    ];
    expect(listChanges(base, next, key)).toEqual([
      { k: 'b', e: { id: 'b', n: 20 } },
      { k: 'd', e: { id: 'd', n: 4 } },
      { k: 'c', e: null },
    ]);
    expect(listChanges(base, [...base], key)).toEqual([]);
    expect(listChanges(base, base.slice().reverse(), key)).toEqual([]);
  });

  it('applying the changes gives the new list: unchanged elements keep their order, changed ones follow', () => {
    const base: E[] = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'c', n: 3 },
    ];
    const next = [...base.filter((e) => e.id !== 'a'), { id: 'a', n: 10 }, { id: 'e', n: 5 }];
    expect(applyChanges(base, listChanges(base, next, key), key)).toEqual(next);
    // A filter-and-push (how every list model's writers change it) comes back in the same order.
    const removed = base.filter((e) => e.id !== 'b');
    expect(applyChanges(base, listChanges(base, removed, key), key)).toEqual(removed);
  });

  it('merged changes of successive versions equal applying each in turn, from any version between', () => {
    // A seeded walk of random versions: adds, rewrites and removals of 40 keys.
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) as number;
    const snapshot: E[] = Array.from({ length: 20 }, (_, i) => ({ id: `k${i}`, n: 0 }));
    const values: E[][] = [snapshot];
    const cumulative: ElementChange<E>[][] = [[]];
    for (let v = 1; v <= 60; v++) {
      const prev = values[v - 1]!;
      const id = `k${rand(40)}`;
      const next = rand(3) === 0 ? prev.filter((e) => e.id !== id) : [...prev.filter((e) => e.id !== id), { id, n: v }];
      const changes = listChanges(prev, next, key);
      const value = applyChanges(prev, changes, key);
      expect(value).toEqual(next);
      values.push(value);
      cumulative.push(mergeChanges(cumulative[v - 1]!, changes));
    }
    for (let v = 1; v <= 60; v++) {
      // From the snapshot, and from every version between it and v (what a replica may hold).
      expect(applyChanges(snapshot, cumulative[v]!, key)).toEqual(values[v]);
      for (const from of [1, Math.floor(v / 2), v - 1]) expect(applyChanges(values[from]!, cumulative[v]!, key)).toEqual(values[v]);
    }
    // Changes since the snapshot never outgrow the keys touched.
    expect(cumulative[60]!.length).toBeLessThanOrEqual(40);
  });
});
