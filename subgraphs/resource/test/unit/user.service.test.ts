import { describe, expect, it } from '@jest/globals';
import type { Viewer } from '@ytm/auth';
import { UserService } from '../../src/domain/user.service.js';
import type { User } from '../../src/domain/user.js';

const now = new Date('2026-06-01T12:00:00Z');
const users = new UserService({ clock: { now: () => now } });
const viewer = (id: string, role: Viewer['role'] = 'USER'): Viewer => ({ id, sessionId: 's', role, plan: { tier: 'FREE', expiresAt: null } });
const alice: User = {
  id: 'alice',
  email: 'alice@example.com',
  displayName: 'Alice',
  role: 'USER',
  plan: { tier: 'PREMIUM', expiresAt: new Date(now.getTime() + 1000) },
  createdAt: now,
};

describe('UserService', () => {
  it('shows the email to the user themself and to administrators only', () => {
    expect(users.email(viewer('alice'), alice, false)).toBe('alice@example.com');
    expect(users.email(viewer('root', 'ADMIN'), alice, false)).toBe('alice@example.com');
    expect(() => users.email(viewer('bob'), alice, false)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => users.email(undefined, alice, false)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('shows the email to a request that just signed in as that user, before it has a token', () => {
    expect(users.email(undefined, alice, true)).toBe('alice@example.com');
  });

  it('reads the plan by the injected clock: PREMIUM until its expiry, FREE from then on', () => {
    expect(users.plan(alice)).toEqual(alice.plan);
    const expired = { ...alice, plan: { tier: 'PREMIUM' as const, expiresAt: now } };
    expect(users.plan(expired)).toEqual({ tier: 'FREE', expiresAt: null });
  });
});
