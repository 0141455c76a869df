import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, effectivePlan, type AccessTokenClaims, type Viewer } from './viewer.js';
import { AuthenticationError } from './authentication-error.js';

/** Finds the public key for a `kid`, or undefined when no such key exists. */
export type KeyResolver = (kid: string) => Promise<KeyObject | undefined>;

export interface AccessTokenVerifierOptions {
  resolveKey: KeyResolver;
  issuer: string;
  audience: string;
  clockToleranceSec?: number;
  /** Longer tokens are rejected before any parsing. */
  maxTokenLength?: number;
  /**
   * Tokens remembered once verified, until they expire (or their plan does): a client sends the
   * same token with every request for its whole life, and an ES256 verification is the largest
   * CPU cost of a small request. 0 turns the cache off.
   */
  cacheSize?: number;
  /** The clock of the cache and of plan expiry (token expiry is jsonwebtoken's, on the real clock). */
  now?: () => number;
}

/** What a valid access token proves: who the caller is, and until when. */
export interface VerifiedAccessToken {
  viewer: Viewer;
  /** The token's `exp`. */
  expiresAt: Date;
}

export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken>;

const KID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Verifies an access token: algorithm pinned to ES256, `typ`, `kid`, signature, `iss`, `aud`,
 * `exp` and the claim shapes. Every failure is the same AuthenticationError (INVALID) to the caller.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { cacheSize = 10_000, now = Date.now } = options;
  const verify = uncachedVerifier(options);
  if (cacheSize <= 0) return verify;
  const verified = new Map<string, { token: VerifiedAccessToken; until: number }>();
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.until > now()) return hit.token;
    if (hit) verified.delete(token);
    const result = await verify(token);
    // Until the token expires, or its PREMIUM plan does (the tier is decided at verification).
    const until = Math.min(result.expiresAt.getTime(), result.viewer.plan.expiresAt?.getTime() ?? Infinity);
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(token, { token: result, until });
    return result;
  };
}

function uncachedVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { resolveKey, issuer, audience, clockToleranceSec = 5, maxTokenLength = 4096, now = Date.now } = options;
  return async (token) => {
    const fail = (why: string): never => {
      throw new AuthenticationError('INVALID', why);
    };
    if (token.length > maxTokenLength) fail('token too long');
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') return fail('malformed');
    const { alg, typ, kid } = decoded.header;
    if (alg !== ACCESS_TOKEN_ALG) fail(`alg ${String(alg)}`);
    if (typ !== ACCESS_TOKEN_TYP) fail(`typ ${String(typ)}`);
    if (typeof kid !== 'string' || !KID.test(kid)) return fail('kid');
    const key = await resolveKey(kid);
    if (!key) return fail('unknown kid');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer,
        audience,
        clockTolerance: clockToleranceSec,
      }) as jwt.JwtPayload;
    } catch (err) {
      return fail((err as Error).message);
    }
    const viewer = toViewer(claims, new Date(now())) ?? fail('claims');
    return { viewer, expiresAt: new Date((claims.exp as number) * 1000) };
  };
}

function toViewer(claims: jwt.JwtPayload, now: Date): Viewer | undefined {
  const c = claims as Partial<AccessTokenClaims>;
  if (typeof c.sub !== 'string' || typeof c.sid !== 'string' || typeof c.exp !== 'number') return undefined;
  if (c.role !== 'USER' && c.role !== 'ADMIN') return undefined;
  const plan = c.plan;
  if (!plan || (plan.tier !== 'FREE' && plan.tier !== 'PREMIUM')) return undefined;
  const expiresAt = typeof plan.exp === 'number' ? new Date(plan.exp * 1000) : null;
  return { id: c.sub, sessionId: c.sid, role: c.role, plan: effectivePlan({ tier: plan.tier, expiresAt }, now) };
}
