import { randomUUID } from 'node:crypto';
import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { HmacTicketSigner } from '../../src/crypto/ticket-signer.js';
import { getOrCreateSecret } from '@ytm/mongo';
import { rawRequest } from '../support/raw-http.js';
import { revokeOverGrpc, startHarness, ticketClaims, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let h: Harness;
let signer: HmacTicketSigner;
const alice = { userId: `alice-${randomUUID()}`, sessionId: `s-${randomUUID()}`, tier: 'PREMIUM' as const };

beforeAll(async () => {
  // No track-file cache: a track removed from the (fake) library is gone for the next request.
  h = await startHarness({ TRACK_FILE_CACHE_MS: '0' });
  h.addTrack('t1', 5);
  h.addTrack('t2', 5);
  // The same key stream signs with: lets the tests forge what only time could produce (expiry).
  signer = new HmacTicketSigner(await getOrCreateSecret(h.stream.conn, 'ticket-signing-key'));
});
afterAll(() => h?.close());

async function expectRejected(url: string, status: number, code: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await rawRequest(url, { headers });
  expect({ status: res.status, body: res.body.toString() }).toEqual({ status, body: JSON.stringify({ code }) });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('ticket misuse', () => {
  it('serves a fresh ticket, bound to user, session and track, expiring after the track plus the margin', async () => {
    const before = Date.now();
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    expect(t.url).toBe(`http://public.invalid/stream/${t.token}`);
    expect(t.mimeType).toBe('audio/wav');
    const claims = ticketClaims(t.token);
    expect(claims).toMatchObject({ sub: alice.userId, sid: alice.sessionId, trk: 't1' });
    const ttl = Date.parse(t.expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual((5 + 300) * 1000 - 2000);
    expect(ttl).toBeLessThanOrEqual((5 + 300) * 1000 + 2000);
    expect(Math.abs(claims.exp * 1000 - Date.parse(t.expiresAt))).toBeLessThan(1000);
    expect((await rawRequest(ticketUrl(h, t.token))).status).toBe(200);
  });

  it('altered payload or signature: 401 TICKET_INVALID', async () => {
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    const [header, payload, sig] = t.token.split('.') as [string, string, string];
    const otherTrack = Buffer.from(JSON.stringify({ ...ticketClaims(t.token), trk: 't2' })).toString('base64url');
    await expectRejected(ticketUrl(h, `${header}.${otherTrack}.${sig}`), 401, 'TICKET_INVALID');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    await expectRejected(ticketUrl(h, `${header}.${payload}.${flipped}`), 401, 'TICKET_INVALID');
    await expectRejected(ticketUrl(h, 'not-a-ticket'), 401, 'TICKET_INVALID');
    await expectRejected(ticketUrl(h, `${header}.${payload}`), 401, 'TICKET_INVALID');
  });

  it('a ticket signed with another key, or with alg none: 401', async () => {
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    const c = ticketClaims(t.token);
    const forged = new HmacTicketSigner(Buffer.alloc(32, 7)).sign({
      ticketId: c.jti,
      userId: c.sub,
      sessionId: c.sid,
      trackId: 't1',
      expiresAt: new Date(c.exp * 1000),
    });
    await expectRejected(ticketUrl(h, forged), 401, 'TICKET_INVALID');
    const none = jwt.sign({ ...c }, '', { algorithm: 'none', header: { alg: 'none', typ: 'ytm-ticket+jwt' } as never });
    await expectRejected(ticketUrl(h, `${none}x`), 401, 'TICKET_INVALID');
  });

  it('expired: 401 TICKET_EXPIRED', async () => {
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    const c = ticketClaims(t.token);
    const expired = signer.sign({ ticketId: c.jti, userId: c.sub, sessionId: c.sid, trackId: c.trk, expiresAt: new Date(Date.now() - 60_000) });
    await expectRejected(ticketUrl(h, expired), 401, 'TICKET_EXPIRED');
  });

  it('validly signed but never issued (unknown jti): 401 TICKET_INVALID', async () => {
    const unknown = signer.sign({
      ticketId: randomUUID(),
      userId: alice.userId,
      sessionId: alice.sessionId,
      trackId: 't1',
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expectRejected(ticketUrl(h, unknown), 401, 'TICKET_INVALID');
  });

  it("another user's access token sent along: 403 TICKET_FOREIGN; the owner's: served", async () => {
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    await expectRejected(ticketUrl(h, t.token), 403, 'TICKET_FOREIGN', { authorization: `Bearer ${h.issuer.sign({ userId: 'mallory' })}` });
    const own = await rawRequest(ticketUrl(h, t.token), { headers: { authorization: `Bearer ${h.issuer.sign(alice)}` } });
    expect(own.status).toBe(200);
  });

  it('used for another track: 403 TICKET_FOREIGN', async () => {
    const t = await h.requestPlayback(h.issuer.sign(alice), 't1');
    await expectRejected(ticketUrl(h, t.token, '?track=t2'), 403, 'TICKET_FOREIGN');
    expect((await rawRequest(ticketUrl(h, t.token, '?track=t1'))).status).toBe(200);
  });

  it('access token used as a ticket: 401; ticket used as an access token: UNAUTHENTICATED', async () => {
    const access = h.issuer.sign(alice);
    await expectRejected(ticketUrl(h, access), 401, 'TICKET_INVALID');
    const t = await h.requestPlayback(access, 't1');
    const r = await h.graphql('mutation { requestPlayback(trackId: "t1") { url } }', {}, t.token);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('after signOut (RevokeTickets with the session): 403 TICKET_REVOKED, and that session gets no new ticket', async () => {
    const user = { userId: `bob-${randomUUID()}`, tier: 'PREMIUM' as const };
    const phone = { ...user, sessionId: `phone-${randomUUID()}` };
    const laptop = { ...user, sessionId: `laptop-${randomUUID()}` };
    const onPhone = await h.requestPlayback(h.issuer.sign(phone), 't1');
    const onLaptop = await h.requestPlayback(h.issuer.sign(laptop), 't2');
    expect(await revokeOverGrpc(h, user.userId, phone.sessionId)).toBe(1);
    await expectRejected(ticketUrl(h, onPhone.token), 403, 'TICKET_REVOKED');
    expect((await rawRequest(ticketUrl(h, onLaptop.token))).status).toBe(200);
    await expect(h.requestPlayback(h.issuer.sign(phone), 't1')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await revokeOverGrpc(h, user.userId)).toBe(1);
    await expectRejected(ticketUrl(h, onLaptop.token), 403, 'TICKET_REVOKED');
  });

  it('unknown track: NOT_FOUND; no access token: UNAUTHENTICATED', async () => {
    await expect(h.requestPlayback(h.issuer.sign(alice), 'no-such-track')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const r = await h.graphql('mutation { requestPlayback(trackId: "t1") { url } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a track that left the library after the ticket was issued: 404 TRACK_NOT_FOUND', async () => {
    h.addTrack('leaving', 2);
    const t = await h.requestPlayback(h.issuer.sign(alice), 'leaving');
    h.tracks.delete('leaving');
    await expectRejected(ticketUrl(h, t.token), 404, 'TRACK_NOT_FOUND');
  });

  it('a file that is not there: 404 FILE_NOT_FOUND; one that cannot be opened otherwise: 503 UNAVAILABLE with Retry-After (players retry, not skip)', async () => {
    const existing = h.addTrack('beside', 1).path;
    const loop = join(h.dir, 'loop.wav');
    symlinkSync(loop, loop); // ELOOP: refused to root as well (chmod 000 is not)
    const cases: Array<[string, string, 404 | 503]> = [
      ['gone', join(h.dir, 'nope.wav'), 404], // ENOENT
      ['under-a-file', join(existing, 'x.wav'), 404], // ENOTDIR
      ['loop', loop, 503],
    ];
    if (process.getuid?.() !== 0) {
      const locked = h.addTrack('locked', 1).path;
      chmodSync(locked, 0o000); // EACCES (root reads it anyway)
      cases.push(['locked', locked, 503]);
    }
    for (const [id, path, status] of cases) {
      h.tracks.set(id, { trackId: id, path, size: 16_044, mtimeMs: 0, mimeType: 'audio/wav', durationSeconds: 1 });
      for (const format of ['ORIGINAL', 'OPUS']) {
        const t = await h.requestPlayback(h.issuer.sign(alice), id, { format });
        const res = await rawRequest(ticketUrl(h, t.token));
        expect([id, format, res.status, res.body.toString()]).toEqual([
          id,
          format,
          status,
          JSON.stringify({ code: status === 404 ? 'FILE_NOT_FOUND' : 'UNAVAILABLE' }),
        ]);
        expect(res.headers['retry-after']).toBe(status === 503 ? '1' : undefined);
        expect(res.headers['cache-control']).toBe('no-store');
      }
    }
  });
});
