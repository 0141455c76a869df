import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, type AccessTokenClaims, type Plan, type Role } from '@ytm/auth';
import type { AccessTokenIssuer } from '../domain/ports.js';
import type { MongoSigningKeyRepository, StoredKey } from '../persistence/signing-key.repository.js';

export interface KeyRingOptions {
  keys: MongoSigningKeyRepository;
  issuer: string;
  audience: string;
  accessTokenTtlSec: number;
  /** How long a replica trusts its cached key list (rotation by another replica shows up after this). */
  reloadMs?: number;
}

interface LoadedKey {
  kid: string;
  activatesAt: number;
  retiresAt: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JsonWebKey;
}

/**
 * The access-token signing keys: signs with the newest active key, publishes all unexpired
 * public keys as JWKS, and resolves `kid`s for local verification.
 *
 * Rotation publishes a new key first and signs with it only from its `activatesAt`, so every
 * replica and every verifier's JWKS cache knows it before the first token it signed arrives;
 * the old key retires at that moment and stays published until its last token expired.
 */
export class KeyRing implements AccessTokenIssuer {
  private loaded: LoadedKey[] = [];
  private loadedAt = 0;

  constructor(private readonly options: KeyRingOptions) {}

  /** Makes sure a key exists (first start). */
  async init(): Promise<void> {
    await this.reload();
    if (this.loaded.length > 0) return;
    // Replicas starting together on an empty database: one makes the key, all use it (two keys
    // made at once left a verifier that had fetched the JWKS in between rejecting one of them).
    await this.options.keys.addFirst();
    await this.reload();
    // The first key existed but has retired long ago (keys were never rotated in): start afresh.
    if (this.loaded.length === 0) {
      await this.options.keys.add();
      await this.reload();
    }
  }

  async issue(claims: { userId: string; sessionId: string; role: Role; plan: Plan }): Promise<{ token: string; expiresAt: Date }> {
    await this.fresh();
    const key = this.active();
    if (!key) throw new Error('no active signing key');
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.options.accessTokenTtlSec;
    const payload: Omit<AccessTokenClaims, 'iss' | 'aud'> = {
      sub: claims.userId,
      sid: claims.sessionId,
      role: claims.role,
      plan: { tier: claims.plan.tier, exp: claims.plan.expiresAt ? Math.floor(claims.plan.expiresAt.getTime() / 1000) : null },
      iat,
      exp,
    };
    const token = jwt.sign(payload, key.privateKey, {
      algorithm: ACCESS_TOKEN_ALG,
      keyid: key.kid,
      header: { alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid: key.kid },
      issuer: this.options.issuer,
      audience: this.options.audience,
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Read from the database (at most once a second): verifiers fetch it rarely, and it must list
   * every replica's keys — two replicas starting on an empty database each create one, and a
   * 30 s-old view of the keys made the router reject the other replica's tokens (scale-out e2e).
   */
  async jwks(): Promise<{ keys: Array<JsonWebKey & { kid: string; alg: string; use: string }> }> {
    if (Date.now() - this.loadedAt > 1_000) await this.reload();
    return { keys: this.loaded.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })) };
  }

  resolveKey = async (kid: string): Promise<KeyObject | undefined> => {
    await this.fresh();
    let key = this.loaded.find((k) => k.kid === kid);
    if (!key && Date.now() - this.loadedAt > 1_000) {
      await this.reload();
      key = this.loaded.find((k) => k.kid === kid);
    }
    return key?.publicKey;
  };

  /**
   * Adds a new signing key that signs from `activationDelayMs` on; the others retire then and
   * keep verifying until their tokens expire. The delay must exceed `reloadMs` (other replicas)
   * plus the JWKS cache time of verifiers; 0 is for a single replica without other verifiers.
   */
  async rotate(activationDelayMs: number, now = new Date()): Promise<{ kid: string; activatesAt: Date }> {
    const activatesAt = new Date(now.getTime() + activationDelayMs);
    const key = await this.options.keys.add(now, activatesAt);
    await this.options.keys.retireAllExcept(key.kid, activatesAt);
    await this.reload();
    return { kid: key.kid, activatesAt };
  }

  /** The kid that signs now (tests, the rotation script). */
  async activeKid(): Promise<string | undefined> {
    await this.fresh();
    return this.active()?.kid;
  }

  /** The newest activated key that has not retired; else the newest activated one (clock skew). */
  private active(now = Date.now()): LoadedKey | undefined {
    const activated = this.loaded.filter((k) => k.activatesAt <= now).sort((a, b) => b.activatesAt - a.activatesAt);
    return activated.find((k) => k.retiresAt > now) ?? activated[0];
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt > (this.options.reloadMs ?? 30_000)) await this.reload();
  }

  private async reload(): Promise<void> {
    // Retired keys stay published for one access-token lifetime (plus clock skew).
    const retiredAfter = new Date(Date.now() - (this.options.accessTokenTtlSec + 60) * 1000);
    const stored = await this.options.keys.listPublished(retiredAfter);
    this.loaded = stored.map(load);
    this.loadedAt = Date.now();
  }
}

function load(k: StoredKey): LoadedKey {
  return {
    kid: k.kid,
    activatesAt: k.activatesAt.getTime(),
    retiresAt: k.retiredAt?.getTime() ?? Number.POSITIVE_INFINITY,
    privateKey: createPrivateKey({ key: k.privateJwk, format: 'jwk' }),
    publicKey: createPublicKey({ key: k.publicJwk, format: 'jwk' }),
    publicJwk: k.publicJwk,
  };
}
