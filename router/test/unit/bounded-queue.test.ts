import { describe, expect, it } from '@jest/globals';
import { BoundedQueue } from '../../src/subscriptions/bounded-queue.js';

describe('BoundedQueue', () => {
  it('delivers in order, refuses past its bound, and ends after draining', async () => {
    let ended = 0;
    const q = new BoundedQueue<number>(2, () => ended++);
    expect(q.push(1)).toBe(true);
    expect(q.push(2)).toBe(true);
    expect(q.push(3)).toBe(false);
    q.end();
    expect(ended).toBe(1);
    const seen: number[] = [];
    for await (const v of q) seen.push(v);
    expect(seen).toEqual([1, 2]);
    expect(q.push(4)).toBe(false);
  });

  it('hands an item straight to a waiting reader', async () => {
    const q = new BoundedQueue<string>(1);
    const next = q.next();
    expect(q.push('a')).toBe(true);
    await expect(next).resolves.toEqual({ value: 'a', done: false });
    await q.return();
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });
  });
});
