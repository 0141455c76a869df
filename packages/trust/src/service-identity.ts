import { existsSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { createClient, status, type Admission, type CallGuard, type CallerCredentials, type Client, type ClientOptions } from '@ytm/proto';
import { accessOf, isServiceIdentity, type ServiceIdentityName } from './service-access.js';
import { ServiceTokenError, ServiceTokenSigner, ServiceTokenVerifier } from './service-token.js';
import { keyId, privateKeyPath, readPrivateKey, readTrustedKeys } from './trust-material.js';

/** The subset of a pino logger the guard uses. */
export interface TrustLogger {
  warn(obj: object, msg?: string): void;
}

export interface LoadIdentityOptions {
  /** The trust directory (TRUST_DIR): `public/` is read from it. */
  dir: string;
  name: string;
  /** This service's private key; default `<dir>/private/<name>.key.pem`. */
  keyFile?: string;
  /** Token lifetime in seconds (default 300). */
  tokenTtlSec?: number;
  clock?: () => number;
}

type ClientConstructor<C extends Client> = Parameters<typeof createClient<C>>[0];

/**
 * A service's identity on the internal plane: it signs the tokens its gRPC calls carry and
 * checks the tokens of calls it receives against the access table.
 */
export class ServiceIdentity implements CallerCredentials {
  private readonly signer: ServiceTokenSigner;
  private readonly verifier: ServiceTokenVerifier;

  private constructor(
    readonly name: ServiceIdentityName,
    options: LoadIdentityOptions,
  ) {
    const keyFile = options.keyFile ?? privateKeyPath(options.dir, name);
    if (!existsSync(keyFile)) {
      throw new Error(
        `no service key for ${name} at ${keyFile}: create the trust material with \`npm run trust -- init --dir ${options.dir}\` (npm start and npm test do it)`,
      );
    }
    const privateKey = readPrivateKey(keyFile);
    const kid = keyId(createPublicKey(privateKey));
    const loadKeys = () => readTrustedKeys(options.dir);
    if (!loadKeys().has(kid))
      throw new Error(`the public key of ${name}'s service key (${kid}) is not in ${options.dir}/public: every other service would refuse its calls`);
    this.signer = new ServiceTokenSigner({
      service: name,
      privateKey,
      kid,
      ...(options.tokenTtlSec ? { ttlSec: options.tokenTtlSec } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.verifier = new ServiceTokenVerifier({ audience: name, loadKeys, ...(options.clock ? { clock: options.clock } : {}) });
  }

  /** Reads this service's key and the trusted public keys; throws with what to do when they are missing. */
  static load(options: LoadIdentityOptions): ServiceIdentity {
    if (!isServiceIdentity(options.name)) throw new Error(`unknown service identity ${options.name}`);
    return new ServiceIdentity(options.name, options);
  }

  /** `Bearer <token>` addressed to the method's server, none for public methods (CallerCredentials). */
  authorizationFor(method: string): string | undefined {
    const access = accessOf(method);
    if (!access || access.callers === 'anyone' || access.servedBy === 'any') return undefined;
    return `Bearer ${this.signer.tokenFor(access.servedBy)}`;
  }

  /** A gRPC client whose calls carry this identity. */
  client<C extends Client>(Client: ClientConstructor<C>, address: string, options: Partial<ClientOptions> = {}): C {
    return createClient(Client, address, this, options);
  }

  /** The server side: admits a call only from an identity the access table lists for its method; logs every refusal. */
  guard(logger: TrustLogger): CallGuard {
    return {
      admit: ({ method, metadata, peer }): Admission => {
        const refuse = (code: status, reason: string, caller?: string): Admission => {
          logger.warn({ method, peer, caller, grpcStatus: status[code], reason }, 'internal call refused');
          return { refuse: { code, details: reason } };
        };
        const access = accessOf(method);
        if (!access) return refuse(status.PERMISSION_DENIED, `${method} is not in the service access table`);
        if (access.callers === 'anyone') return { caller: undefined };
        const header = metadata.get('authorization')[0];
        if (typeof header !== 'string' || !header.startsWith('Bearer ')) return refuse(status.UNAUTHENTICATED, 'service credentials required');
        let caller: ServiceIdentityName;
        try {
          caller = this.verifier.verify(header.slice('Bearer '.length).trim());
        } catch (err) {
          if (!(err instanceof ServiceTokenError)) throw err;
          return refuse(status.UNAUTHENTICATED, `invalid service credentials: ${err.message}`);
        }
        if (!access.callers.includes(caller)) return refuse(status.PERMISSION_DENIED, `${caller} may not call ${method}`, caller);
        return { caller };
      },
    };
  }
}
