import { describe, expect, it } from '@jest/globals';
import { SlotLimiter, TranscodeBusyError } from '../../src/transcode/slot-limiter.js';

describe('SlotLimiter', () => {
  it('grants up to max at once, then queues first come first served, then refuses', async () => {
    const limiter = new SlotLimiter(2, 2, 10_000);
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    const order: string[] = [];
    const c = limiter.acquire().then((release) => (order.push('c'), release));
    const d = limiter.acquire().then((release) => (order.push('d'), release));
    await expect(limiter.acquire()).rejects.toBeInstanceOf(TranscodeBusyError);
    expect([limiter.running, limiter.waiting]).toEqual([2, 2]);
    a();
    a(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect([limiter.running, limiter.waiting]).toEqual([2, 1]);
    b();
    releaseC();
    (await d)();
    expect([limiter.running, limiter.waiting, limiter.peak]).toEqual([0, 0, 2]);
  });

  it('a waiter that waits too long gets TranscodeBusyError with Retry-After; an aborted one leaves the queue', async () => {
    const limiter = new SlotLimiter(1, 5, 50);
    const held = await limiter.acquire();
    const err = await limiter.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TranscodeBusyError);
    expect((err as TranscodeBusyError).retryAfterSeconds).toBe(1);
    const abort = new AbortController();
    const gone = limiter.acquire(abort.signal);
    abort.abort();
    await expect(gone).rejects.toThrow('aborted');
    expect(limiter.waiting).toBe(0);
    held();
    expect(limiter.running).toBe(0);
  });
});
