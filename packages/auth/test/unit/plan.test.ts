import { describe, expect, it } from '@jest/globals';
import { effectivePlan } from '../../src/index.js';

describe('effectivePlan: an expired PREMIUM plan counts as FREE', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const before = new Date(now.getTime() - 1);
  const after = new Date(now.getTime() + 1);

  it('keeps a PREMIUM plan until its expiry', () => {
    expect(effectivePlan({ tier: 'PREMIUM', expiresAt: after }, now)).toEqual({ tier: 'PREMIUM', expiresAt: after });
    expect(effectivePlan({ tier: 'PREMIUM', expiresAt: null }, now)).toEqual({ tier: 'PREMIUM', expiresAt: null });
  });

  it('counts PREMIUM as FREE (without an expiry) from the expiry instant on', () => {
    expect(effectivePlan({ tier: 'PREMIUM', expiresAt: now }, now)).toEqual({ tier: 'FREE', expiresAt: null });
    expect(effectivePlan({ tier: 'PREMIUM', expiresAt: before }, now)).toEqual({ tier: 'FREE', expiresAt: null });
  });

  it('leaves FREE alone', () => {
    expect(effectivePlan({ tier: 'FREE', expiresAt: null }, now)).toEqual({ tier: 'FREE', expiresAt: null });
  });
});
