import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { status, type CallerCredentials } from '@ytm/proto';
import { testIdentity, waitFor } from '@ytm/testing';
import { rawRequest } from '../support/raw-http.js';
import { revokeOverGrpc, startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let a: Harness;
let b: Harness;

beforeAll(async () => {
  a = await startHarness();
  // A second replica on the same database: revocations decided by `a` must reach it within 1 s.
  b = await startHarness({}, { dbName: a.dbName, issuer: a.issuer, tracks: a.tracks });
  a.addTrack('long', 300); // 4.8 MB: far more than socket buffers hold
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

interface Download {
  res: http.IncomingMessage;
  /** Resumes reading; resolves with the bytes received once the connection ends. */
  drain(): Promise<{ bytes: number; complete: boolean }>;
}

/** Starts a download and stops reading after the headers, as a paused player does. */
function pausedDownload(url: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.pause();
      res.on('error', () => undefined);
      const drain = () =>
        new Promise<{ bytes: number; complete: boolean }>((done) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          // A paused socket does not even read the FIN: the cut shows once the player reads on.
          res.socket.once('close', () => done({ bytes, complete: res.complete }));
          res.resume();
        });
      resolve({ res, drain });
    });
    req.on('error', reject);
  });
}

const userOf = () => ({ userId: `u-${randomUUID()}`, sessionId: `s-${randomUUID()}`, tier: 'PREMIUM' as const });

describe('revocation during a stream', () => {
  it('on the same replica: the open response is cut at once and the next Range request is 403', async () => {
    const u = userOf();
    const t = await a.requestPlayback(a.issuer.sign(u), 'long');
    const { res, drain } = await pausedDownload(ticketUrl(a, t.token));
    expect(res.statusCode).toBe(200);
    await waitFor(() => a.stream.active.count > 0, 2_000);
    const revokedAt = Date.now();
    expect(await revokeOverGrpc(a, u.userId, u.sessionId)).toBe(1);
    await waitFor(() => a.stream.active.count === 0, 1_000, 10, 'the response to be cut');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    const got = await drain();
    expect(got.complete).toBe(false);
    expect(got.bytes).toBeLessThan(Number(res.headers['content-length']));
    const next = await rawRequest(ticketUrl(a, t.token), { headers: { range: 'bytes=1000000-' } });
    expect(next.status).toBe(403);
    expect(next.body.toString()).toBe('{"code":"TICKET_REVOKED"}');
  });

  it('on another replica: the open response is cut and Range requests fail within 1 s', async () => {
    const u = userOf();
    const t = await a.requestPlayback(a.issuer.sign(u), 'long');
    // Prime b's caches: the ticket is known good there.
    expect((await rawRequest(ticketUrl(b, t.token), { headers: { range: 'bytes=0-99' } })).status).toBe(206);
    const { res, drain } = await pausedDownload(ticketUrl(b, t.token));
    expect(res.statusCode).toBe(200);
    await waitFor(() => b.stream.active.count > 0, 2_000);

    const revokedAt = Date.now();
    await revokeOverGrpc(a, u.userId);
    const cutAfter = (await waitFor(() => b.stream.active.count === 0 && Date.now(), 2_000, 10)) - revokedAt;
    const refusedAfter =
      (await waitFor(async () => (await rawRequest(ticketUrl(b, t.token), { headers: { range: 'bytes=100-199' } })).status === 403 && Date.now(), 2_000, 20)) -
      revokedAt;
    expect(cutAfter).toBeLessThan(1_000);
    expect(refusedAfter).toBeLessThan(1_000);
    expect((await drain()).complete).toBe(false);
  });

  it('refuses RevokeTickets from anyone but resource: nothing is revoked and the ticket keeps playing', async () => {
    const u = userOf();
    const t = await a.requestPlayback(a.issuer.sign(u), 'long');
    const rogue = (caller: CallerCredentials) => revokeOverGrpc(a, u.userId, undefined, caller).catch((err: unknown) => err);
    expect(await rogue({ authorizationFor: () => undefined })).toMatchObject({ code: status.UNAUTHENTICATED });
    expect(await rogue({ authorizationFor: () => 'Bearer forged.token.here' })).toMatchObject({ code: status.UNAUTHENTICATED });
    for (const name of ['library', 'stream', 'router'] as const) expect(await rogue(testIdentity(name))).toMatchObject({ code: status.PERMISSION_DENIED });
    const next = await rawRequest(ticketUrl(a, t.token), { headers: { range: 'bytes=0-99' } });
    expect(next.status).toBe(206);
    expect(await revokeOverGrpc(a, u.userId)).toBe(1);
  });

  it('a client that goes away mid-stream leaves no open stream (the file is closed)', async () => {
    const t = await a.requestPlayback(a.issuer.sign(userOf()), 'long');
    const { res } = await pausedDownload(ticketUrl(a, t.token));
    await waitFor(() => a.stream.active.count > 0, 2_000, 20, 'the stream to be open');
    expect(a.stream.active.count).toBe(1);
    res.destroy();
    await waitFor(() => a.stream.active.count === 0, 2_000, 20, 'the stream to be released');
    expect(a.stream.active.count).toBe(0);
  });
});
