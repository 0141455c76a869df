import type { Connection } from 'mongoose';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '@ytm/errors';
import type { SignInAttempt, SignInThrottle } from '../domain/ports.js';

export interface SignInThrottleOptions {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSec: number;
  /** Limiters shared by all replicas (see `mongoSignInLimiters`); the in-process ones always run too. */
  shared?: SharedLimiters;
}

export interface SharedLimiters {
  account: RateLimiterAbstract;
  address: RateLimiterAbstract;
  stop(): void;
}

type Reserved = [RateLimiterAbstract, string];

/**
 * rate-limiter-flexible counters, one point per attempt, reserved before hashing and given back
 * on success: concurrent guesses cannot slip past the limit, and the limit counts failures only.
 *
 * The in-memory limiters are exact but per replica: with N replicas an account may see up to
 * N × the limit unless `shared` limiters (a MongoDB collection) are configured too.
 */
export class RateLimiterSignInThrottle implements SignInThrottle {
  private readonly account: RateLimiterMemory;
  private readonly address: RateLimiterMemory;

  constructor(private readonly options: SignInThrottleOptions) {
    this.account = new RateLimiterMemory({ keyPrefix: 'signin-account', points: options.maxFailuresPerAccount, duration: options.windowSec });
    this.address = new RateLimiterMemory({ keyPrefix: 'signin-address', points: options.maxFailuresPerAddress, duration: options.windowSec });
  }

  async reserve(account: string, address: string | undefined): Promise<SignInAttempt> {
    const plan: Reserved[] = [];
    if (address) plan.push([this.address, address]);
    plan.push([this.account, account]);
    if (this.options.shared) {
      if (address) plan.push([this.options.shared.address, address]);
      plan.push([this.options.shared.account, account]);
    }
    const reserved: Reserved[] = [];
    for (const [limiter, key] of plan) {
      try {
        await limiter.consume(key);
        reserved.push([limiter, key]);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new RateLimitedError('Too many failed sign-in attempts; try again later', Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      }
    }
    return {
      succeeded: async () => {
        await Promise.all(reserved.map(([limiter, key]) => limiter.reward(key, 1)));
      },
    };
  }

  stop(): void {
    this.options.shared?.stop();
  }
}

/**
 * Limiters in the `signin_throttle` collection, shared by replicas. On MongoDB they are exact.
 * FerretDB 1.x applies an update by reading and writing back the whole document, so concurrent
 * increments of one key can be lost: there they are approximate, and the in-process limiters
 * keep each replica exact. FerretDB has no TTL indexes either: expired counters are swept here.
 */
export async function mongoSignInLimiters(conn: Connection, options: Omit<SignInThrottleOptions, 'shared'>): Promise<SharedLimiters> {
  const tableName = 'signin_throttle';
  const db = conn.db;
  if (!db) throw new Error('mongo not connected');
  await db.collection(tableName).createIndex({ key: 1 }, { unique: true });
  const common = { storeClient: conn.getClient(), dbName: db.databaseName, tableName, disableIndexesCreation: true, duration: options.windowSec };
  const account = new RateLimiterMongo({ ...common, keyPrefix: 'signin-account', points: options.maxFailuresPerAccount });
  const address = new RateLimiterMongo({ ...common, keyPrefix: 'signin-address', points: options.maxFailuresPerAddress });
  const sweep = setInterval(() => {
    void db
      .collection(tableName)
      .deleteMany({ expire: { $lt: new Date() } })
      .catch(() => undefined);
  }, 60_000);
  sweep.unref();
  return { account, address, stop: () => clearInterval(sweep) };
}
