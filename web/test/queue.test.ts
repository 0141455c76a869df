import { describe, expect, it } from 'vitest';
import * as Q from '../src/features/player/queue';

const track = (id: string): Q.QueueTrack => ({ id, title: `Track ${id}`, artists: [{ id: 'ar', name: 'Artist' }], album: null, duration: 100, cover: null });
const ids = (q: Q.QueueState) => q.items.map((i) => i.track.id);
const seeded = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('queue', () => {
  it('plays a list from a start index and walks it with next/previous and repeat', () => {
    let q = Q.playList(Q.EMPTY_QUEUE, ['a', 'b', 'c'].map(track), 1);
    expect(Q.current(q)?.track.id).toBe('b');
    expect(Q.nextIndex(q, true)).toBe(2);
    q = Q.jump(q, 2);
    expect(Q.nextIndex(q, true)).toBeNull();
    expect(Q.nextIndex({ ...q, repeat: 'all' }, false)).toBe(0);
    expect(Q.nextIndex({ ...q, repeat: 'one' }, true)).toBe(2);
    expect(Q.nextIndex({ ...q, repeat: 'one' }, false)).toBe(0); // a skip leaves a repeated track (and wraps)
    expect(Q.previousIndex(q)).toBe(1);
    expect(Q.previousIndex(Q.jump(q, 0))).toBeNull();
    expect(Q.cycleRepeat(Q.cycleRepeat(Q.cycleRepeat(q))).repeat).toBe('off');
  });

  it('plays next after the current entry and adds to the end; the same track may be queued twice', () => {
    let q = Q.playList(Q.EMPTY_QUEUE, ['a', 'b'].map(track), 0);
    q = Q.playNext(q, [track('x')]);
    q = Q.addToQueue(q, [track('a')]);
    expect(ids(q)).toEqual(['a', 'x', 'b', 'a']);
    expect(new Set(q.items.map((i) => i.key)).size).toBe(4);
    expect(Q.addToQueue(Q.EMPTY_QUEUE, [track('z')]).index).toBe(0);
  });

  it('reorders with the current entry staying current, removes and clears', () => {
    let q = Q.playList(Q.EMPTY_QUEUE, ['a', 'b', 'c', 'd'].map(track), 1);
    q = Q.move(q, 1, 3);
    expect(ids(q)).toEqual(['a', 'c', 'd', 'b']);
    expect(Q.current(q)?.track.id).toBe('b');
    q = Q.move(q, 0, 2);
    expect(ids(q)).toEqual(['c', 'd', 'a', 'b']);
    expect(Q.move(q, 0, 9)).toBe(q);
    q = Q.remove(q, q.items[0]!.key);
    expect(Q.current(q)?.track.id).toBe('b');
    q = Q.remove(q, Q.current(q)!.key); // removing the current one makes the next (or last) current
    expect(Q.current(q)?.track.id).toBe('a');
    q = Q.clearUpcoming(Q.addToQueue(q, [track('y')]));
    expect(ids(q)).toEqual(['a']);
    expect(Q.clearUpcoming(Q.EMPTY_QUEUE)).toEqual(Q.EMPTY_QUEUE);
  });

  it('shuffles only what comes after the current entry, and restores the order when turned off', () => {
    let q = Q.playList(Q.EMPTY_QUEUE, ['a', 'b', 'c', 'd', 'e'].map(track), 1);
    q = Q.setShuffle(q, true, seeded([0, 0, 0, 0]));
    expect(ids(q).slice(0, 2)).toEqual(['a', 'b']);
    expect(ids(q).slice(2).sort()).toEqual(['c', 'd', 'e']);
    expect(ids(q)).not.toEqual(['a', 'b', 'c', 'd', 'e']);
    q = Q.jump(q, 3);
    const playing = Q.current(q)!.track.id;
    q = Q.setShuffle(Q.addToQueue(q, [track('f')]), false);
    expect(ids(q)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(Q.current(q)?.track.id).toBe(playing);
  });

  it('restores what it stored, and the empty queue from anything else', () => {
    const q = Q.playList(Q.EMPTY_QUEUE, ['a', 'b'].map(track), 1);
    expect(Q.parseStored(JSON.stringify(q))).toEqual(q);
    for (const bad of [null, '', '{', '{"items":3}', JSON.stringify({ ...q, index: 7 }), JSON.stringify({ items: [{ key: 1 }], index: 0 })]) {
      expect(Q.parseStored(bad)).toEqual(Q.EMPTY_QUEUE);
    }
  });
});
