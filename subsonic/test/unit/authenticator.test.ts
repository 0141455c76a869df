import { describe, expect, it } from '@jest/globals';
import { Authenticator, decodePassword } from '../../src/auth/authenticator.js';
import { CredentialCache } from '../../src/auth/credential-cache.js';
import { FailureThrottle } from '../../src/auth/failure-throttle.js';
import { CredentialRejected, type CredentialVerifier, type Principal } from '../../src/auth/principal.js';
import { SubsonicError } from '../../src/format/response.js';
import { Params } from '../../src/http/params.js';

const principal = (userId: string, apiKeyId: string | null = null): Principal => ({
  userId,
  email: `${userId}@ytm.test`,
  displayName: userId,
  role: 'USER',
  planTier: 'FREE',
  apiKeyId,
  accessToken: `token-${userId}`,
  accessTokenExpiresAt: Date.now() + 15 * 60_000,
});

/** A verifier that counts calls: each call stands for a bcrypt or a resource round trip. */
class CountingVerifier implements CredentialVerifier {
  keyCalls = 0;
  passwordCalls = 0;
  readonly keys = new Map<string, Principal>([['ytm_good', principal('ann', 'k1')]]);
  passwords = new Map<string, string>([['ann@ytm.test', 'right password']]);
  async authenticateApiKey(secret: string) {
    this.keyCalls += 1;
    await new Promise((r) => setTimeout(r, 5));
    const p = this.keys.get(secret);
    if (!p) throw new CredentialRejected('invalid', 'Invalid API key');
    return p;
  }
  async verifyPassword(email: string, password: string) {
    this.passwordCalls += 1;
    await new Promise((r) => setTimeout(r, 5));
    if (this.passwords.get(email.toLowerCase()) !== password) throw new CredentialRejected('invalid', 'wrong');
    return principal('ann');
  }
}

function setup(limit = 100) {
  const verifier = new CountingVerifier();
  const cache = new CredentialCache();
  const auth = new Authenticator({ verifier, cache, throttle: new FailureThrottle(limit, 60_000), apiKeyTtlMs: () => 20_000, passwordTtlMs: () => 300_000 });
  return { verifier, cache, auth };
}
const params = (q: string) => new Params(new URLSearchParams(q));
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof SubsonicError ? e.code : String(e)),
  );

describe('Authenticator', () => {
  it('remembers a verified password: the second and later requests cost no verification, parallel first ones share one', async () => {
    const { auth, verifier } = setup();
    const q = params('u=Ann@ytm.test&p=enc:' + Buffer.from('right password').toString('hex'));
    await Promise.all(Array.from({ length: 10 }, () => auth.authenticate(q, '10.0.0.1')));
    for (let i = 0; i < 10; i++) await auth.authenticate(params('u=ann@ytm.test&p=right%20password'), '10.0.0.1');
    expect(verifier.passwordCalls).toBe(1);
  });

  it('forgets a user on a password change: the old password is verified again (and fails)', async () => {
    const { auth, verifier, cache } = setup();
    const q = params('u=ann@ytm.test&p=right%20password');
    await auth.authenticate(q, '10.0.0.1');
    verifier.passwords.set('ann@ytm.test', 'new password');
    cache.forgetUser('ann');
    expect(await codeOf(auth.authenticate(q, '10.0.0.1'))).toBe(40);
    expect(verifier.passwordCalls).toBe(2);
  });

  it('forgets a revoked API key at once', async () => {
    const { auth, verifier, cache } = setup();
    await auth.authenticate(params('apiKey=ytm_good'), '10.0.0.1');
    await auth.authenticate(params('apiKey=ytm_good'), '10.0.0.1');
    expect(verifier.keyCalls).toBe(1);
    verifier.keys.delete('ytm_good');
    cache.forgetApiKey('k1', 'ann');
    expect(await codeOf(auth.authenticate(params('apiKey=ytm_good'), '10.0.0.1'))).toBe(44);
  });

  it('does not remember a verification that was in flight when the user was forgotten', async () => {
    const { auth, verifier, cache } = setup();
    const pending = auth.authenticate(params('apiKey=ytm_good'), '10.0.0.1');
    cache.forgetApiKey('k1', 'ann');
    await pending;
    await auth.authenticate(params('apiKey=ytm_good'), '10.0.0.1');
    expect(verifier.keyCalls).toBe(2);
  });

  it('answers the spec codes: 43 conflicting, 41 token, 10 missing, 40 wrong password, 44 unknown key', async () => {
    const { auth, verifier } = setup();
    expect(await codeOf(auth.authenticate(params('apiKey=ytm_good&u=ann'), 'a'))).toBe(43);
    expect(await codeOf(auth.authenticate(params('apiKey=ytm_good&p=x'), 'a'))).toBe(43);
    expect(await codeOf(auth.authenticate(params('u=ann&p=x&t=y&s=z'), 'a'))).toBe(43);
    expect(await codeOf(auth.authenticate(params('u=ann&t=y&s=z'), 'a'))).toBe(41);
    expect(await codeOf(auth.authenticate(params(''), 'a'))).toBe(10);
    expect(await codeOf(auth.authenticate(params('u=ann@ytm.test'), 'a'))).toBe(10);
    expect(await codeOf(auth.authenticate(params('u=ann@ytm.test&p=nope'), 'a'))).toBe(40);
    expect(await codeOf(auth.authenticate(params('u=ann@ytm.test&p=enc:zz'), 'a'))).toBe(40);
    expect(await codeOf(auth.authenticate(params('apiKey=ytm_bad'), 'a'))).toBe(44);
    // Failures are never remembered.
    expect(await codeOf(auth.authenticate(params('apiKey=ytm_bad'), 'a'))).toBe(44);
    expect(verifier.keyCalls).toBe(2);
  });

  it('refuses an address past its failure limit without asking resource', async () => {
    const { auth, verifier } = setup(3);
    for (let i = 0; i < 3; i++) expect(await codeOf(auth.authenticate(params('u=ann@ytm.test&p=nope'), '10.9.9.9'))).toBe(40);
    const calls = verifier.passwordCalls;
    expect(await codeOf(auth.authenticate(params('u=ann@ytm.test&p=right%20password'), '10.9.9.9'))).toBe(0);
    expect(verifier.passwordCalls).toBe(calls);
    // Another address is unaffected.
    expect(await codeOf(auth.authenticate(params('u=ann@ytm.test&p=right%20password'), '10.9.9.8'))).toBe('ok');
  });

  it('decodes enc: hex passwords', () => {
    expect(decodePassword('enc:736573616d65')).toBe('sesame');
    expect(decodePassword('plain')).toBe('plain');
  });
});
