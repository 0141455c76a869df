import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isServiceIdentity, SERVICE_IDENTITIES, type ServiceIdentityName } from './service-access.js';

/**
 * The trust material in one directory (TRUST_DIR), one ES256 key pair per service identity:
 *
 *   private/<service>.key.pem   the key that service signs its tokens with (PKCS#8, mode 0600):
 *                               mount it into that service only
 *   public/<service>.pem        its public key, trusted by every service (SPKI)
 *   public/<service>.<kid>.pem  a previous key still trusted during a rotation
 */
export const PRIVATE_DIR = 'private';
export const PUBLIC_DIR = 'public';

export const privateKeyPath = (dir: string, service: string): string => join(dir, PRIVATE_DIR, `${service}.key.pem`);
const publicKeyPath = (dir: string, service: string, kid?: string): string => join(dir, PUBLIC_DIR, kid ? `${service}.${kid}.pem` : `${service}.pem`);

/** A short, stable id of a public key: the first 16 characters of its SPKI SHA-256, base64url. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 16);
}

export interface TrustedKey {
  service: ServiceIdentityName;
  key: KeyObject;
}

/** Creates the key pairs that are missing (existing ones are kept); returns the services that got a new key. */
export function ensureTrustMaterial(dir: string, services: readonly ServiceIdentityName[] = SERVICE_IDENTITIES): ServiceIdentityName[] {
  prepareDirs(dir);
  const created: ServiceIdentityName[] = [];
  for (const service of services) {
    if (existsSync(privateKeyPath(dir, service)) && existsSync(publicKeyPath(dir, service))) continue;
    writeKeyPair(dir, service);
    created.push(service);
  }
  return created;
}

/**
 * Gives `service` a new key pair. Its previous public key stays trusted (renamed
 * `<service>.<kid>.pem`) until `retirePreviousKeys`, so tokens signed by instances that
 * still run with the old key keep working during a rolling restart.
 */
export function rotateKey(dir: string, service: ServiceIdentityName): string {
  prepareDirs(dir);
  const current = publicKeyPath(dir, service);
  if (existsSync(current)) renameSync(current, publicKeyPath(dir, service, keyId(createPublicKey(readFileSync(current)))));
  return writeKeyPair(dir, service);
}

/** Stops trusting every key of `service` but its current one; returns how many were removed. */
export function retirePreviousKeys(dir: string, service: ServiceIdentityName): number {
  const previous = readdirSync(join(dir, PUBLIC_DIR)).filter((f) => f.startsWith(`${service}.`) && f !== `${service}.pem`);
  for (const file of previous) rmSync(join(dir, PUBLIC_DIR, file));
  return previous.length;
}

/** Every trusted public key by key id (read from `public/`). */
export function readTrustedKeys(dir: string): Map<string, TrustedKey> {
  const keys = new Map<string, TrustedKey>();
  const folder = join(dir, PUBLIC_DIR);
  if (!existsSync(folder)) return keys;
  for (const file of readdirSync(folder)) {
    const service = file.split('.')[0] ?? '';
    if (!file.endsWith('.pem') || !isServiceIdentity(service)) continue;
    const key = createPublicKey(readFileSync(join(folder, file)));
    keys.set(keyId(key), { service, key });
  }
  return keys;
}

export function readPrivateKey(file: string): KeyObject {
  return createPrivateKey(readFileSync(file));
}

function prepareDirs(dir: string): void {
  mkdirSync(join(dir, PUBLIC_DIR), { recursive: true });
  mkdirSync(join(dir, PRIVATE_DIR), { recursive: true, mode: 0o700 });
  chmodSync(join(dir, PRIVATE_DIR), 0o700);
}

function writeKeyPair(dir: string, service: ServiceIdentityName): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Public first: a verifier must never meet a token whose key it cannot find.
  writeFileSync(publicKeyPath(dir, service), publicKey.export({ type: 'spki', format: 'pem' }));
  const file = privateKeyPath(dir, service);
  writeFileSync(`${file}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return keyId(publicKey);
}
