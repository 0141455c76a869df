import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createAuthenticator } from '@ytm/auth';
import { HmacTicketSigner, TICKET_TYP } from '../../src/crypto/ticket-signer.js';
import { TicketRejectedError } from '../../src/domain/ticket.js';

const key = Buffer.alloc(32, 3);
const signer = new HmacTicketSigner(key);
const claims = { ticketId: 'j1', userId: 'u1', sessionId: 's1', trackId: 't1', expiresAt: new Date(Date.now() + 60_000) };
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as TicketRejectedError).reason;
  }
  return 'accepted';
};

describe('HmacTicketSigner', () => {
  it('round-trips its claims and writes a standard HS256 JWT with its own typ', () => {
    const token = signer.sign(claims);
    expect(signer.verify(token, new Date())).toEqual({ ...claims, expiresAt: new Date(Math.floor(claims.expiresAt.getTime() / 1000) * 1000) });
    const decoded = jwt.verify(token, key, { algorithms: ['HS256'], complete: true });
    expect(decoded.header).toMatchObject({ alg: 'HS256', typ: TICKET_TYP });
    expect(decoded.payload).toMatchObject({ iss: 'ytm-stream', aud: 'ytm-stream-range', sub: 'u1', sid: 's1', trk: 't1', jti: 'j1' });
  });

  it('expired → TICKET_EXPIRED; anything else wrong → TICKET_INVALID', () => {
    const token = signer.sign(claims);
    expect(reason(() => signer.verify(token, new Date(claims.expiresAt.getTime() + 1000)))).toBe('TICKET_EXPIRED');
    expect(reason(() => new HmacTicketSigner(Buffer.alloc(32, 4)).verify(token, new Date()))).toBe('TICKET_INVALID');
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(reason(() => signer.verify(`${h}.${p}.${s.slice(0, -1)}`, new Date()))).toBe('TICKET_INVALID');
    const withOtherAud = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), aud: 'ytm' })).toString('base64url');
    expect(reason(() => signer.verify(`${h}.${withOtherAud}.${s}`, new Date()))).toBe('TICKET_INVALID');
    // The same claims signed by jsonwebtoken with another header (no kid): refused, the header is pinned.
    const foreignHeader = jwt.sign({ ...JSON.parse(Buffer.from(p, 'base64url').toString()) }, key, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: TICKET_TYP },
    });
    expect(reason(() => signer.verify(foreignHeader, new Date()))).toBe('TICKET_INVALID');
    expect(reason(() => signer.verify('x'.repeat(5000), new Date()))).toBe('TICKET_INVALID');
  });

  it('a ticket verified once is still re-checked for expiry, and a copy is returned', () => {
    const fresh = new HmacTicketSigner(key);
    const token = fresh.sign(claims);
    const first = fresh.verify(token, new Date());
    first.userId = 'mutated';
    expect(fresh.verify(token, new Date()).userId).toBe('u1');
    expect(reason(() => fresh.verify(token, new Date(claims.expiresAt.getTime() + 1_000)))).toBe('TICKET_EXPIRED');
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(reason(() => fresh.verify(tampered, new Date()))).toBe('TICKET_INVALID');
    expect(reason(() => new HmacTicketSigner(Buffer.alloc(32, 4)).verify(token, new Date()))).toBe('TICKET_INVALID');
  });

  it('an access token is never a ticket, and a ticket is never an access token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const access = jwt.sign({ sub: 'u1', sid: 's1', role: 'USER', plan: { tier: 'FREE' } }, privateKey, {
      algorithm: 'ES256',
      header: { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
      issuer: 'ytm-resource',
      audience: 'ytm',
      expiresIn: 60,
    });
    expect(reason(() => signer.verify(access, new Date()))).toBe('TICKET_INVALID');
    const { authenticate } = createAuthenticator({ JWT_ISSUER: 'ytm-resource', JWT_AUDIENCE: 'ytm' }, { resolveKey: async () => publicKey });
    await expect(authenticate(`Bearer ${access}`)).resolves.toMatchObject({ viewer: { id: 'u1' } });
    await expect(authenticate(`Bearer ${signer.sign(claims)}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
