import { RateLimitedError } from '@ytm/errors';
import type { PasswordHasher } from '../domain/ports.js';

export interface HashingBounds {
  /** bcrypt runs at once; about the number of cores leaves the event loop its share of CPU. */
  maxConcurrent: number;
  /** Waiting beyond that; more is RATE_LIMITED at once (retryAfter 1). */
  maxQueued: number;
  /** A waiter that gets no slot in this time is RATE_LIMITED too. */
  maxWaitMs: number;
}

/**
 * Bounds bcrypt work. bcrypt runs on libuv's thread pool (4 threads by default): a storm of
 * sign-ins would otherwise keep every core busy hashing and queue everything else that needs
 * the pool, and the event loop — every other request — would starve.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly inner: PasswordHasher,
    private readonly bounds: HashingBounds,
  ) {}

  hash(password: string): Promise<string> {
    return this.bounded(() => this.inner.hash(password));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.bounded(() => this.inner.verify(password, hash));
  }

  verifyDummy(password: string): Promise<void> {
    return this.bounded(() => this.inner.verifyDummy(password));
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.bounds.maxConcurrent) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.bounds.maxQueued) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.running += 1;
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(busy());
      }, this.bounds.maxWaitMs);
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.();
  }
}

function busy(): RateLimitedError {
  return new RateLimitedError('Too many sign-ins in progress; try again in a moment', 1);
}
