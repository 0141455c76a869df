import type { Principal } from './principal.js';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/**
 * Verified credentials, remembered briefly so a request costs no bcrypt and no resource call
 * after the first. Keys are digests (SHA-256 of an API key, a keyed HMAC of email + password),
 * never the secrets. Concurrent first requests with one credential share one verification.
 * Events drop entries at once (`forgetUser`, `forgetApiKey`); a verification that was in flight
 * when its user's entries were dropped is used once but not remembered.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Principal>>();
  private readonly keysByUser = new Map<string, Set<string>>();
  private readonly epochs = new Map<string, number>();
  private epoch = 0;

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The remembered principal, or the result of `verify` (remembered for `ttlMs`, at most until its token nearly expires). */
  async get(key: string, ttlMs: number, verify: () => Promise<Principal>): Promise<Principal> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.principal;
    if (hit) this.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const startEpoch = this.epoch;
    const work = verify().then(
      (principal) => {
        this.inFlight.delete(key);
        const forgotten = (this.epochs.get(principal.userId) ?? -1) >= startEpoch || this.globalForget >= startEpoch;
        const expiresAt = Math.min(this.now() + ttlMs, principal.accessTokenExpiresAt - 60_000);
        if (!forgotten && ttlMs > 0 && expiresAt > this.now()) this.put(key, { principal, expiresAt });
        return principal;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, work);
    return work;
  }

  /** Drops everything remembered for a user (password changed, plan changed, user gone). */
  forgetUser(userId: string): void {
    this.epochs.set(userId, ++this.epoch);
    for (const key of this.keysByUser.get(userId) ?? []) this.entries.delete(key);
    this.keysByUser.delete(userId);
  }

  /** Drops a revoked API key's entry (and, to be safe, nothing else). */
  forgetApiKey(apiKeyId: string, userId: string): void {
    this.epochs.set(userId, ++this.epoch);
    for (const key of this.keysByUser.get(userId) ?? []) {
      if (this.entries.get(key)?.principal.apiKeyId === apiKeyId) this.delete(key);
    }
  }

  private globalForget = -1;

  /** Drops everything (events may have been missed). */
  clear(): void {
    this.globalForget = ++this.epoch;
    this.entries.clear();
    this.keysByUser.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
    let keys = this.keysByUser.get(entry.principal.userId);
    if (!keys) this.keysByUser.set(entry.principal.userId, (keys = new Set()));
    keys.add(key);
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (entry) this.keysByUser.get(entry.principal.userId)?.delete(key);
  }
}
