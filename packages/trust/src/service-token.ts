import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ServiceIdentityName } from './service-access.js';
import type { TrustedKey } from './trust-material.js';

/** The JWT `typ` of service tokens: a user's access token (`at+jwt`) is never mistaken for one. */
export const SERVICE_TOKEN_TYPE = 'ytm-service+jwt';
const CLOCK_TOLERANCE_SEC = 30;

/** Why a token was not accepted; the message names the reason, never the token. */
export class ServiceTokenError extends Error {
  override readonly name = 'ServiceTokenError';
}

export interface SignerOptions {
  service: ServiceIdentityName;
  privateKey: KeyObject;
  kid: string;
  /** Token lifetime; a token is reused until half of it has passed. Default 300 s. */
  ttlSec?: number;
  clock?: () => number;
}

/** Signs this service's short-lived tokens, one per audience, reused until half their life has passed. */
export class ServiceTokenSigner {
  private readonly ttlSec: number;
  private readonly clock: () => number;
  private readonly cache = new Map<string, { token: string; renewAt: number }>();

  constructor(private readonly options: SignerOptions) {
    this.ttlSec = options.ttlSec ?? 300;
    this.clock = options.clock ?? Date.now;
  }

  tokenFor(audience: string): string {
    const now = this.clock();
    const cached = this.cache.get(audience);
    if (cached && cached.renewAt > now) return cached.token;
    const iat = Math.floor(now / 1000);
    const token = jwt.sign({ iss: this.options.service, sub: this.options.service, aud: audience, iat, exp: iat + this.ttlSec }, this.options.privateKey, {
      algorithm: 'ES256',
      keyid: this.options.kid,
      header: { alg: 'ES256', typ: SERVICE_TOKEN_TYPE },
    });
    this.cache.set(audience, { token, renewAt: now + (this.ttlSec * 1000) / 2 });
    return token;
  }
}

export interface VerifierOptions {
  /** This service: tokens must be addressed to it. */
  audience: ServiceIdentityName;
  /** Trusted public keys by key id; called again (at most every `reloadEveryMs`) when a token names an unknown key. */
  loadKeys: () => Map<string, TrustedKey>;
  reloadEveryMs?: number;
  /** Longest lifetime accepted. Default 600 s. */
  maxTtlSec?: number;
  clock?: () => number;
}

const MAX_CACHED = 10_000;

/**
 * Verifies service tokens: ES256 only, `typ` pinned, key found by `kid`, the key's owner is the
 * issuer, addressed to this service, not expired. A verified token is remembered until it
 * expires, so each one costs one signature check per process.
 */
export class ServiceTokenVerifier {
  private keys: Map<string, TrustedKey>;
  private loadedAt: number;
  private readonly clock: () => number;
  private readonly verified = new Map<string, { caller: ServiceIdentityName; expMs: number }>();

  constructor(private readonly options: VerifierOptions) {
    this.clock = options.clock ?? Date.now;
    this.keys = options.loadKeys();
    this.loadedAt = this.clock();
  }

  /** The caller's identity, or a ServiceTokenError. */
  verify(token: string): ServiceIdentityName {
    const now = this.clock();
    const hit = this.verified.get(token);
    if (hit && hit.expMs + CLOCK_TOLERANCE_SEC * 1000 > now) return hit.caller;
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new ServiceTokenError('not a JWT');
    if (decoded.header.alg !== 'ES256' || decoded.header.typ !== SERVICE_TOKEN_TYPE) throw new ServiceTokenError('not a service token');
    const trusted = this.keyFor(decoded.header.kid ?? '');
    if (!trusted) throw new ServiceTokenError('signed by an unknown key');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, trusted.key, {
        algorithms: ['ES256'],
        issuer: trusted.service,
        subject: trusted.service,
        audience: this.options.audience,
        clockTolerance: CLOCK_TOLERANCE_SEC,
        maxAge: this.options.maxTtlSec ?? 600,
        clockTimestamp: Math.floor(now / 1000),
      }) as jwt.JwtPayload;
    } catch (err) {
      throw new ServiceTokenError(err instanceof Error ? err.message : 'invalid token');
    }
    if (this.verified.size >= MAX_CACHED) this.verified.clear();
    this.verified.set(token, { caller: trusted.service, expMs: (claims.exp ?? 0) * 1000 });
    return trusted.service;
  }

  private keyFor(kid: string): TrustedKey | undefined {
    const known = this.keys.get(kid);
    if (known || this.clock() - this.loadedAt < (this.options.reloadEveryMs ?? 10_000)) return known;
    // A key rotation: the new public key was written beside the old one after we started.
    this.keys = this.options.loadKeys();
    this.loadedAt = this.clock();
    return this.keys.get(kid);
  }
}
