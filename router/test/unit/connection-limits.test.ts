import { describe, expect, it } from '@jest/globals';
import { ConnectionLimits } from '../../src/limits/connection-limits.js';

const limits = () => new ConnectionLimits({ connectionsPerUser: 2, connectionsPerAddress: 3, subscriptionsPerUser: 5 });

describe('ConnectionLimits', () => {
  it('holds an address to its sockets and gives the room back on release (once)', () => {
    const l = limits();
    const releases = [l.openSocket('10.0.0.1'), l.openSocket('10.0.0.1'), l.openSocket('10.0.0.1')];
    expect(releases.every(Boolean)).toBe(true);
    expect(l.openSocket('10.0.0.1')).toBeUndefined();
    expect(l.openSocket('10.0.0.2')).toBeDefined();
    releases[0]!();
    releases[0]!();
    expect(l.openSocket('10.0.0.1')).toBeDefined();
    expect(l.openSocket('10.0.0.1')).toBeUndefined();
  });

  it('holds an account to its connections', () => {
    const l = limits();
    const a = { subscriptions: 0 };
    const b = { subscriptions: 0 };
    expect(l.joinUser('ann', a)).toBe(true);
    expect(l.joinUser('ann', b)).toBe(true);
    expect(l.joinUser('ann', { subscriptions: 0 })).toBe(false);
    expect(l.joinUser('bob', { subscriptions: 0 })).toBe(true);
    l.leaveUser('ann', a);
    l.leaveUser('ann', a);
    expect(l.joinUser('ann', { subscriptions: 0 })).toBe(true);
    expect(l.joinUser('ann', { subscriptions: 0 })).toBe(false);
  });

  it("counts an account's subscriptions over its live connections only", () => {
    const l = limits();
    const a = { subscriptions: 3 };
    const b = { subscriptions: 1 };
    l.joinUser('ann', a);
    l.joinUser('ann', b);
    expect(l.maySubscribe('ann')).toBe(true);
    b.subscriptions = 2;
    expect(l.maySubscribe('ann')).toBe(false);
    expect(l.maySubscribe('bob')).toBe(true);
    // A connection that goes away takes its subscriptions with it, however it ended.
    l.leaveUser('ann', b);
    expect(l.maySubscribe('ann')).toBe(true);
  });
});
