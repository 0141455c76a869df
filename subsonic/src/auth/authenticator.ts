import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ErrorCode, missing, SubsonicError } from '../format/response.js';
import type { Params } from '../http/params.js';
import type { CredentialCache } from './credential-cache.js';
import type { FailureThrottle } from './failure-throttle.js';
import { CredentialRejected, type CredentialVerifier, type Principal } from './principal.js';

export interface AuthenticatorOptions {
  verifier: CredentialVerifier;
  cache: CredentialCache;
  throttle: FailureThrottle;
  apiKeyTtlMs: () => number;
  passwordTtlMs: () => number;
  helpUrl?: string | undefined;
}

/** `p=enc:<hex>` → the password; anything else as given. */
export function decodePassword(p: string): string {
  if (!p.startsWith('enc:')) return p;
  const hex = p.slice(4);
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new SubsonicError(ErrorCode.WRONG_CREDENTIALS, 'Wrong username or password');
  return Buffer.from(hex, 'hex').toString('utf8');
}

/**
 * The OpenSubsonic authentication rules: `apiKey` alone (with `u`, `p`, `t` or `s`: 43); legacy
 * `u` + `p` (plain or `enc:` hex) checked against the account's bcrypt hash by resource, then
 * remembered; `u` + `t` + `s` is 41 (a salted MD5 token needs the plain password on the server,
 * which YTM does not keep). The Subsonic username is the account's email.
 */
export class Authenticator {
  /** Keys the password cache: an HMAC with a per-process key, so the cache holds nothing a password could be recovered from quickly. */
  private readonly hmacKey = randomBytes(32);

  constructor(private readonly o: AuthenticatorOptions) {}

  async authenticate(params: Params, clientAddress: string): Promise<Principal> {
    const apiKey = params.get('apiKey');
    const [u, p, t, s] = [params.get('u'), params.get('p'), params.get('t'), params.get('s')];
    if (apiKey !== undefined) {
      if (u !== undefined || p !== undefined || t !== undefined || s !== undefined) {
        throw new SubsonicError(ErrorCode.CONFLICTING_AUTH, 'Multiple conflicting authentication mechanisms provided');
      }
      return this.withThrottle(clientAddress, ErrorCode.INVALID_API_KEY, 'Invalid API key', () => this.byApiKey(apiKey));
    }
    if (p !== undefined && (t !== undefined || s !== undefined)) {
      throw new SubsonicError(ErrorCode.CONFLICTING_AUTH, 'Multiple conflicting authentication mechanisms provided');
    }
    if (t !== undefined || s !== undefined) {
      throw new SubsonicError(
        ErrorCode.TOKEN_AUTH_NOT_SUPPORTED,
        'Token authentication not supported. Use an API key (apiKey) or a password (p)',
        this.o.helpUrl,
      );
    }
    if (u === undefined || u === '') throw missing('u');
    if (p === undefined || p === '') throw missing('p');
    const password = decodePassword(p);
    return this.withThrottle(clientAddress, ErrorCode.WRONG_CREDENTIALS, 'Wrong username or password', () => this.byPassword(u, password, clientAddress));
  }

  private byApiKey(secret: string): Promise<Principal> {
    const key = `k:${createHash('sha256').update(secret).digest('hex')}`;
    return this.o.cache.get(key, this.o.apiKeyTtlMs(), () => this.o.verifier.authenticateApiKey(secret));
  }

  private byPassword(email: string, password: string, clientAddress: string): Promise<Principal> {
    const key = `p:${createHmac('sha256', this.hmacKey).update(email.trim().toLowerCase()).update('\0').update(password).digest('hex')}`;
    return this.o.cache.get(key, this.o.passwordTtlMs(), () => this.o.verifier.verifyPassword(email, password, clientAddress));
  }

  private async withThrottle(address: string, code: ErrorCodeOf, message: string, work: () => Promise<Principal>): Promise<Principal> {
    const wait = this.o.throttle.retryAfter(address);
    if (wait > 0) throw new SubsonicError(ErrorCode.GENERIC, `Too many failed sign-in attempts; try again in ${wait} s`);
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof CredentialRejected)) throw err;
      if (err.reason === 'throttled') throw new SubsonicError(ErrorCode.GENERIC, 'Too many failed sign-in attempts; try again later');
      this.o.throttle.fail(address);
      throw new SubsonicError(code, message);
    }
  }
}

type ErrorCodeOf = typeof ErrorCode.WRONG_CREDENTIALS | typeof ErrorCode.INVALID_API_KEY;
