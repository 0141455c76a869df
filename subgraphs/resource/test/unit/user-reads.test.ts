// CachedUserReads: users held between reads, forgotten on change, never held from a read a change overtook.
import { describe, expect, it } from '@jest/globals';
import type { User } from '../../src/domain/user.js';
import { CachedUserReads } from '../../src/persistence/user-reads.js';

function user(id: string, displayName = `User ${id}`): User {
  return { id, email: `${id}@example.com`, displayName, role: 'USER', plan: { tier: 'FREE', expiresAt: null }, createdAt: new Date(0) };
}

/** A store that counts reads and can hold one back until released. */
function store(initial: User[]) {
  const users = new Map(initial.map((u) => [u.id, u]));
  let reads = 0;
  let gate: Promise<void> | undefined;
  return {
    users,
    get reads() {
      return reads;
    },
    holdNextRead(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return release;
    },
    async findByIds(ids: readonly string[]): Promise<User[]> {
      reads += 1;
      const snapshot = ids.map((id) => users.get(id)).filter((u): u is User => u !== undefined);
      const waiting = gate;
      gate = undefined;
      if (waiting) await waiting;
      return snapshot;
    },
  };
}

describe('CachedUserReads', () => {
  it('reads a user once while it is fresh, again after maxAgeMs', async () => {
    const s = store([user('a')]);
    let now = 1_000;
    const reads = new CachedUserReads(s, { maxAgeMs: 100, live: () => true, now: () => now });
    expect((await reads.findById('a'))?.displayName).toBe('User a');
    expect((await reads.findById('a'))?.displayName).toBe('User a');
    expect(s.reads).toBe(1);
    now += 100;
    await reads.findById('a');
    expect(s.reads).toBe(2);
  });

  it('after forget, the next read is the store’s', async () => {
    const s = store([user('a')]);
    const reads = new CachedUserReads(s, { maxAgeMs: 60_000, live: () => true });
    await reads.findById('a');
    s.users.set('a', user('a', 'Renamed'));
    reads.forget('a');
    expect((await reads.findById('a'))?.displayName).toBe('Renamed');
    expect((await reads.findById('a'))?.displayName).toBe('Renamed');
    expect(s.reads).toBe(2);
  });

  it('a read under way when the user is forgotten answers, but is not held', async () => {
    const s = store([user('a')]);
    const reads = new CachedUserReads(s, { maxAgeMs: 60_000, live: () => true });
    const release = s.holdNextRead();
    const slow = reads.findById('a');
    // The change lands (and is announced) while the read that saw the old name is still out.
    s.users.set('a', user('a', 'Renamed'));
    reads.forget('a');
    release();
    expect((await slow)?.displayName).toBe('User a');
    expect((await reads.findById('a'))?.displayName).toBe('Renamed');
  });

  it('holds nothing while not live (other replicas’ changes would not reach it), nor with maxAgeMs 0', async () => {
    let live = false;
    const s = store([user('a')]);
    const reads = new CachedUserReads(s, { maxAgeMs: 60_000, live: () => live });
    await reads.findById('a');
    await reads.findById('a');
    expect(s.reads).toBe(2);
    live = true;
    await reads.findById('a');
    await reads.findById('a');
    expect(s.reads).toBe(3);
    const off = new CachedUserReads(s, { maxAgeMs: 0, live: () => true });
    await off.findById('a');
    await off.findById('a');
    expect(s.reads).toBe(5);
  });

  it('keeps at most maxEntries, the least recently read leaving first; reports where each user came from', async () => {
    const s = store([user('a'), user('b'), user('c')]);
    const sources: string[] = [];
    const reads = new CachedUserReads(s, { maxAgeMs: 60_000, maxEntries: 2, live: () => true, onRead: (source, n) => sources.push(`${source}:${n}`) });
    await reads.findByIds(['a', 'b']);
    await reads.findById('a'); // b is now the least recently read
    await reads.findById('c'); // b leaves
    expect(sources).toEqual(['store:2', 'memory:1', 'store:1']);
    const before = s.reads;
    await reads.findByIds(['a', 'c']);
    expect(s.reads).toBe(before);
    await reads.findById('b');
    expect(s.reads).toBe(before + 1);
  });

  it('each reader gets its own object: what one changes, the next does not see', async () => {
    const reads = new CachedUserReads(store([user('a')]), { maxAgeMs: 60_000, live: () => true });
    const first = (await reads.findById('a'))!;
    (first as { displayName: string }).displayName = 'changed by the first reader';
    first.plan.tier = 'PREMIUM';
    const second = (await reads.findById('a'))!;
    (second as unknown as Record<string, string>).__typename = 'User';
    expect(await reads.findById('a')).toEqual(user('a'));
  });

  it('an unknown user is not held: null, and asked again', async () => {
    const s = store([]);
    const reads = new CachedUserReads(s, { maxAgeMs: 60_000, live: () => true });
    expect(await reads.findById('nobody')).toBeNull();
    expect(await reads.findById('nobody')).toBeNull();
    expect(s.reads).toBe(2);
  });
});
