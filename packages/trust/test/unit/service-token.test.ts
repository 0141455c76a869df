import { afterAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import {
  ensureTrustMaterial,
  readTrustedKeys,
  retirePreviousKeys,
  rotateKey,
  ServiceTokenSigner,
  ServiceTokenVerifier,
  keyId,
  ServiceIdentity,
  SERVICE_TOKEN_TYPE,
} from '../../src/index.js';

const dirs: string[] = [];
function material(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ytm-trust-test-'));
  dirs.push(dir);
  ensureTrustMaterial(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const token = (identity: ServiceIdentity, method: string) => identity.authorizationFor(method)?.slice('Bearer '.length) ?? '';
const GET_TRACK_FILE = '/ytm.library.v1.Library/GetTrackFile';
const REGISTER = '/ytm.registry.v1.Registry/Register';

describe('service tokens', () => {
  it('are addressed to the server of the method, and reused until half their life', () => {
    const dir = material();
    let now = 1_700_000_000_000;
    const stream = ServiceIdentity.load({ dir, name: 'stream', clock: () => now });
    const first = token(stream, GET_TRACK_FILE);
    expect(jwt.decode(first)).toMatchObject({ iss: 'stream', sub: 'stream', aud: 'library' });
    expect(jwt.decode(token(stream, REGISTER))).toMatchObject({ aud: 'router' });
    expect(stream.authorizationFor('/grpc.health.v1.Health/Check')).toBeUndefined();
    now += 149_000;
    expect(token(stream, GET_TRACK_FILE)).toBe(first);
    now += 2_000;
    expect(token(stream, GET_TRACK_FILE)).not.toBe(first);
  });

  it('verify the issuer by its key, the audience and the expiry', () => {
    const dir = material();
    let now = 1_700_000_000_000;
    const keys = () => readTrustedKeys(dir);
    const library = new ServiceTokenVerifier({ audience: 'library', loadKeys: keys, clock: () => now });
    const stream = ServiceIdentity.load({ dir, name: 'stream', clock: () => now });
    const t = token(stream, GET_TRACK_FILE);
    expect(library.verify(t)).toBe('stream');
    // Addressed to the router: useless at library (a token seen by one service cannot be replayed to another).
    expect(() => library.verify(token(stream, REGISTER))).toThrow('jwt audience invalid');
    now += 300_000 + 31_000;
    expect(() => library.verify(t)).toThrow('jwt expired');
  });

  it('refuse tokens of unknown keys, a forged issuer, other types and unsigned tokens', () => {
    const dir = material();
    const library = new ServiceTokenVerifier({ audience: 'library', loadKeys: () => readTrustedKeys(dir) });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const outsider = new ServiceTokenSigner({ service: 'stream', privateKey, kid: keyId(publicKey) });
    expect(() => library.verify(outsider.tokenFor('library'))).toThrow('signed by an unknown key');

    // resource's real key, claiming to be stream: the key's owner is the issuer.
    const resource = ServiceIdentity.load({ dir, name: 'resource' });
    const resourceToken = token(resource, '/ytm.library.v1.Library/BatchGetTracks');
    const header = jwt.decode(resourceToken, { complete: true })?.header;
    const forged = jwt.sign({ iss: 'stream', sub: 'stream', aud: 'library' }, privateKey, {
      algorithm: 'ES256',
      header: { ...header!, alg: 'ES256' },
      expiresIn: 60,
    });
    expect(() => library.verify(forged)).toThrow();

    const accessToken = jwt.sign({ sub: 'u1', aud: 'library' }, privateKey, { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt' } });
    expect(() => library.verify(accessToken)).toThrow('not a service token');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: SERVICE_TOKEN_TYPE })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'stream', aud: 'library' })).toString('base64url')}.`;
    expect(() => library.verify(unsigned)).toThrow('not a service token');
    expect(() => library.verify('garbage')).toThrow('not a JWT');
  });

  it('survive a key rotation: old and new keys are trusted until the old one is retired', () => {
    const dir = material();
    let now = 1_700_000_000_000;
    const library = new ServiceTokenVerifier({ audience: 'library', loadKeys: () => readTrustedKeys(dir), clock: () => now, reloadEveryMs: 1_000 });
    const oldToken = token(ServiceIdentity.load({ dir, name: 'stream', clock: () => now }), GET_TRACK_FILE);
    rotateKey(dir, 'stream');
    const newToken = token(ServiceIdentity.load({ dir, name: 'stream', clock: () => now }), GET_TRACK_FILE);
    expect(newToken).not.toBe(oldToken);
    now += 1_001; // the verifier re-reads public/ on an unknown key id, at most once a second here
    expect(library.verify(newToken)).toBe('stream');
    expect(library.verify(oldToken)).toBe('stream');
    expect(retirePreviousKeys(dir, 'stream')).toBe(1);
    const fresh = new ServiceTokenVerifier({ audience: 'library', loadKeys: () => readTrustedKeys(dir), clock: () => now });
    expect(fresh.verify(newToken)).toBe('stream');
    expect(() => fresh.verify(oldToken)).toThrow('signed by an unknown key');
  });

  it('creating the material twice keeps the keys', () => {
    const dir = material();
    const before = [...readTrustedKeys(dir).keys()].sort();
    expect(ensureTrustMaterial(dir)).toEqual([]);
    expect([...readTrustedKeys(dir).keys()].sort()).toEqual(before);
    expect(() => ServiceIdentity.load({ dir: join(dir, 'nope'), name: 'stream' })).toThrow(/no service key for stream/);
  });
});
