import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTrustMaterial, ServiceIdentity, type ServiceIdentityName } from '@ytm/trust';

let dir: string | undefined;
const identities = new Map<string, ServiceIdentity>();

/** Trust material for this test process (every service identity), created once in a temp directory. */
export function testTrustDir(): string {
  if (dir === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'ytm-trust-'));
    dir = created;
    ensureTrustMaterial(created);
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

/** A service's identity from the test trust material (clients sign as it, servers admit by it). */
export function testIdentity(name: ServiceIdentityName): ServiceIdentity {
  let identity = identities.get(name);
  if (!identity) {
    identity = ServiceIdentity.load({ dir: testTrustDir(), name });
    identities.set(name, identity);
  }
  return identity;
}
