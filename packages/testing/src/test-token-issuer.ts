import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, type KeyResolver, type PlanTier, type Role } from '@ytm/auth';

export interface TestTokenOptions {
  userId?: string;
  sessionId?: string;
  role?: Role;
  tier?: PlanTier;
  planExpiresAt?: Date | null;
  ttlSec?: number;
}

/**
 * Signs access tokens exactly like ytm-resource does, with its own key, for integration tests of
 * one subgraph without the whole system. Pass `resolveKey` to the subgraph's verifier.
 */
export class TestTokenIssuer {
  readonly kid = `test-${randomUUID().slice(0, 8)}`;
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(
    readonly issuer = 'ytm-resource',
    readonly audience = 'ytm',
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  resolveKey: KeyResolver = async (kid) => (kid === this.kid ? this.publicKey : undefined);

  jwks(): { keys: unknown[] } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: ACCESS_TOKEN_ALG, use: 'sig' }] };
  }

  sign(options: TestTokenOptions = {}): string {
    const { userId = randomUUID(), sessionId = randomUUID(), role = 'USER', tier = 'FREE', planExpiresAt = null, ttlSec = 900 } = options;
    return jwt.sign(
      { sub: userId, sid: sessionId, role, plan: { tier, exp: planExpiresAt ? Math.floor(planExpiresAt.getTime() / 1000) : null } },
      this.privateKey,
      {
        algorithm: ACCESS_TOKEN_ALG,
        header: { alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid: this.kid },
        issuer: this.issuer,
        audience: this.audience,
        expiresIn: ttlSec,
      },
    );
  }
}
