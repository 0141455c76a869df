import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '@ytm/errors';
import { BoundedPasswordHasher } from '../../src/crypto/bounded-password-hasher.js';
import { LowPriorityBcrypt } from '../../src/crypto/low-priority-bcrypt.js';
import { BcryptPasswordHasher } from '../../src/crypto/password-hasher.js';
import type { PasswordHasher } from '../../src/domain/ports.js';

describe('LowPriorityBcrypt', () => {
  const engine = new LowPriorityBcrypt(2);
  afterAll(() => engine.close());

  it('hashes and verifies on worker threads, through the HMAC pre-hash', async () => {
    const hasher = new BcryptPasswordHasher(Buffer.alloc(32, 7), 4, engine);
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await hasher.verify('correct horse battery staple', hash)).toBe(true);
    expect(await hasher.verify('Correct horse battery staple', hash)).toBe(false);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.verify(i % 2 ? 'x' : 'correct horse battery staple', hash)));
    expect(results).toEqual([true, false, true, false, true, false, true, false]);
  });

  it('runs its threads at nice 19 (Linux)', async () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the comm field may hold spaces.
    const niceValues = () =>
      readdirSync('/proc/self/task').flatMap((tid) => {
        try {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
        } catch {
          return []; // a thread that ended while we listed them
        }
      });
    // Each worker renices itself as it starts, which is asynchronous: give a late one 5 s.
    const deadline = Date.now() + 5_000;
    let nice = niceValues();
    while (nice.filter((n) => n === 19).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      nice = niceValues();
    }
    expect(nice.filter((n) => n === 19).length).toBeGreaterThanOrEqual(2);
    expect(nice).toContain(0);
  });
});

describe('BoundedPasswordHasher', () => {
  const slow: PasswordHasher = {
    hash: () => new Promise((r) => setTimeout(() => r('h'), 100)),
    verify: () => new Promise((r) => setTimeout(() => r(true), 100)),
    verifyDummy: () => new Promise((r) => setTimeout(r, 100)),
  };

  it('runs at most maxConcurrent at once, queues maxQueued, and refuses the rest with RATE_LIMITED', async () => {
    const bounded = new BoundedPasswordHasher(slow, { maxConcurrent: 1, maxQueued: 1, maxWaitMs: 5_000 });
    const started = Date.now();
    const [a, b, c] = await Promise.allSettled([bounded.verify('p', 'h'), bounded.verify('p', 'h'), bounded.verify('p', 'h')]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(c.status === 'rejected' && c.reason instanceof RateLimitedError && c.reason.retryAfter === 1).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('refuses a waiter that got no slot in maxWaitMs', async () => {
    const bounded = new BoundedPasswordHasher(slow, { maxConcurrent: 1, maxQueued: 10, maxWaitMs: 30 });
    const [a, b] = await Promise.allSettled([bounded.hash('p'), bounded.hash('p')]);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && b.reason instanceof RateLimitedError).toBe(true);
    expect(await bounded.hash('p')).toBe('h');
  });
});
