import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { signingKeyModel } from '../../src/persistence/signing-key.model.js';
import { MongoSigningKeyRepository } from '../../src/persistence/signing-key.repository.js';

jest.setTimeout(60_000);

let conn: mongoose.Connection;
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('resource_keys_test') }).asPromise();
  await signingKeyModel(conn).init();
});
afterAll(async () => {
  await conn.db?.dropDatabase().catch(() => undefined);
  await conn.close();
});

const ring = () => new KeyRing({ keys: new MongoSigningKeyRepository(signingKeyModel(conn)), issuer: 'i', audience: 'a', accessTokenTtlSec: 900 });

describe('signing keys on first start (real FerretDB)', () => {
  it('replicas starting together on an empty database make one key and all sign with it', async () => {
    const replicas = Array.from({ length: 4 }, ring);
    await Promise.all(replicas.map((r) => r.init()));
    expect(await signingKeyModel(conn).countDocuments()).toBe(1);
    const kids = await Promise.all(replicas.map((r) => r.activeKid()));
    expect(new Set(kids).size).toBe(1);
    const jwks = await replicas[0]!.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([kids[0]]);
  });

  it('a later start finds the key and makes none', async () => {
    const before = await signingKeyModel(conn).countDocuments();
    await ring().init();
    expect(await signingKeyModel(conn).countDocuments()).toBe(before);
  });
});
