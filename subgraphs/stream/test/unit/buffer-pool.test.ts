import { describe, expect, it } from '@jest/globals';
import { BufferPool } from '../../src/http/buffer-pool.js';
import { ReadBudget } from '../../src/http/file-range-readable.js';

describe('BufferPool', () => {
  it('hands out power-of-two buffers of at least the minimum size', () => {
    const pool = new BufferPool(16 * 1024);
    expect(pool.take(1).length).toBe(16 * 1024);
    expect(pool.take(16 * 1024).length).toBe(16 * 1024);
    expect(pool.take(16 * 1024 + 1).length).toBe(32 * 1024);
    expect(pool.take(200_000).length).toBe(256 * 1024);
  });

  it('reuses a buffer given back, for the same size class only', () => {
    const pool = new BufferPool(16 * 1024);
    const a = pool.take(20_000);
    pool.give(a);
    expect(pool.pooledBytes).toBe(32 * 1024);
    expect(pool.take(16 * 1024)).not.toBe(a);
    expect(pool.take(30_000)).toBe(a);
    expect(pool.pooledBytes).toBe(0);
  });

  it('keeps at most maxPooledBytes', () => {
    const pool = new BufferPool(16 * 1024, 40 * 1024);
    const [a, b, c] = [pool.take(16 * 1024), pool.take(16 * 1024), pool.take(16 * 1024)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.pooledBytes).toBe(32 * 1024);
  });
});

describe('ReadBudget', () => {
  it('shares the turn between open streams in power-of-two chunks within bounds', () => {
    const budget = new ReadBudget(1024 * 1024, 16 * 1024, 256 * 1024);
    expect(budget.chunkSize()).toBe(256 * 1024);
    const leave = Array.from({ length: 50 }, () => budget.enter());
    expect(budget.chunkSize()).toBe(16 * 1024); // 1 MiB / 50 ≈ 20 KiB → 16 KiB
    for (const l of leave.slice(0, 45)) l();
    expect(budget.chunkSize()).toBe(128 * 1024); // 1 MiB / 5 ≈ 205 KiB → 128 KiB
    leave[0]!(); // leaving twice counts once
    expect(budget.streams).toBe(5);
  });
});
