import { describe, expect, it } from '@jest/globals';
import { readConfig } from '../../src/config.js';

describe('the access-token lifetime', () => {
  it('is ACCESS_TOKEN_TTL_MINUTES (15 by default)', () => {
    expect(readConfig({}).accessTokenTtlSec).toBe(900);
    expect(readConfig({ ACCESS_TOKEN_TTL_MINUTES: '5' }).accessTokenTtlSec).toBe(300);
  });

  it('is ACCESS_TOKEN_TTL_SECONDS instead when set (for tests that watch a token expire)', () => {
    expect(readConfig({ ACCESS_TOKEN_TTL_SECONDS: '20', ACCESS_TOKEN_TTL_MINUTES: '5' }).accessTokenTtlSec).toBe(20);
  });

  it.each(['9', '3601', 'soon', '12.5'])('refuses ACCESS_TOKEN_TTL_SECONDS=%s', (value) => {
    expect(() => readConfig({ ACCESS_TOKEN_TTL_SECONDS: value })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
  });
});
