import { describe, expect, it } from '@jest/globals';
import { KeyedLock } from '../../src/scanner/keyed-lock.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedLock', () => {
  it('runs work on one key one at a time, so check-then-insert cannot race', async () => {
    const lock = new KeyedLock();
    const created: string[] = [];
    const exists = new Set<string>();
    const ensure = (key: string) =>
      lock.run(key, async () => {
        if (exists.has(key)) return;
        await tick();
        exists.add(key);
        created.push(key);
      });
    await Promise.all([ensure('a'), ensure('a'), ensure('b'), ensure('a'), ensure('b')]);
    expect(created.sort()).toEqual(['a', 'b']);
    expect(lock.size).toBe(0);
  });

  it('keeps going after a failure and runs different keys concurrently', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const failing = lock.run('k', async () => {
      throw new Error('boom');
    });
    const next = lock.run('k', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    const slow = lock.run('x', async () => {
      await tick();
      await tick();
      order.push('x');
    });
    const fast = lock.run('y', async () => {
      order.push('y');
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['y', 'x']);
  });
});
