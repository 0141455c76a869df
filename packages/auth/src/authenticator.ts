import type { Logger } from '@ytm/logger';
import { createAccessTokenVerifier, type AccessTokenVerifier, type KeyResolver } from './access-token-verifier.js';
import { AuthenticationError } from './authentication-error.js';
import { createJwksKeyResolver } from './jwks-key-resolver.js';
import type { Viewer } from './viewer.js';

/** A caller proven by a verified access token. */
export interface Authenticated {
  viewer: Viewer;
  /** The access token itself. */
  token: string;
  /** The Authorization header that carries it on to the services behind this one. */
  authorization: string;
  /** When the token stops being valid (its `exp`): a long-lived connection ends then. */
  expiresAt: Date;
}

/**
 * What carries the credential: an HTTP Authorization header's value, or a graphql-ws
 * `connection_init` payload (`{ authorization: "Bearer <token>" }`).
 */
export type Credentials = string | readonly string[] | null | undefined | { readonly [key: string]: unknown };

/**
 * The one auth edge: credentials → the caller, or null when none were sent; a malformed header or
 * a token that does not verify throws AuthenticationError.
 */
export type Authenticate = (credentials: Credentials) => Promise<Authenticated | null>;

export interface Authenticator {
  authenticate: Authenticate;
  /** Resolves once public keys are at hand (for `/ready`); throws while they cannot be fetched. */
  ready(): Promise<void>;
}

/** The configuration every service that checks access tokens has (JWKS_URL unless it holds the keys). */
export interface AuthConfig {
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWKS_URL?: string;
}

export interface AuthenticatorOptions {
  /** Where public keys come from instead of JWKS_URL: resource's own key ring, a test issuer. */
  resolveKey?: KeyResolver;
  logger?: Logger;
  /** The clock deciding plan expiry and the verified-token cache (tests move it; token `exp` stays on real time). */
  now?: () => number;
}

/** Builds the process's authenticator from its configuration: one per process. */
export function createAuthenticator(config: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  let ready: () => Promise<void> = async () => undefined;
  let resolveKey = options.resolveKey;
  if (!resolveKey) {
    if (!config.JWKS_URL) throw new Error('createAuthenticator: JWKS_URL or resolveKey is required');
    const jwks = createJwksKeyResolver({ url: config.JWKS_URL, onError: (err) => options.logger?.warn({ err: (err as Error).message }, 'JWKS fetch failed') });
    resolveKey = jwks;
    ready = async () => {
      if (!jwks.loaded()) await jwks.refresh();
    };
  }
  const verify = createAccessTokenVerifier({
    resolveKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(options.now ? { now: options.now } : {}),
  });
  return { authenticate: authenticateWith(verify), ready };
}

/** The auth edge over a given verifier. */
export function authenticateWith(verify: AccessTokenVerifier): Authenticate {
  return async (credentials) => {
    const header = authorizationOf(credentials);
    if (header === undefined) return null;
    const token = parseBearer(header);
    if (!token) throw new AuthenticationError('MALFORMED');
    const { viewer, expiresAt } = await verify(token);
    return { viewer, token, authorization: `Bearer ${token}`, expiresAt };
  };
}

/** The Authorization value in the credentials; undefined when none was sent. */
function authorizationOf(credentials: Credentials): string | undefined {
  if (credentials === null || credentials === undefined || credentials === '') return undefined;
  if (typeof credentials === 'string') return credentials;
  if (Array.isArray(credentials)) throw new AuthenticationError('MALFORMED', 'repeated header');
  const params = credentials as { readonly [key: string]: unknown };
  const value = params.authorization ?? params.Authorization;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new AuthenticationError('MALFORMED', 'not a string');
  return value;
}

/** `Bearer <token>` → token; anything else → undefined. */
export function parseBearer(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
  return match?.[1];
}
