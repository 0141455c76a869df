import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { rangeHeader, validatorHeader } from '../support/range-arbitraries.js';
import { parseMultipart, rawRequest } from '../support/raw-http.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let h: Harness;
let url: string;
let file: Buffer;

beforeAll(async () => {
  h = await startHarness({ RANGE_MAX_PARTS: '8' });
  file = readFileSync(h.addTrack('fuzz', 1.5).path); // 24 044 bytes
  url = ticketUrl(h, (await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'fuzz')).token);
});
afterAll(() => h?.close());

/** Checks that every byte in a 200/206 body is the file's byte at the position the headers claim. */
function checkBody(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): void {
  const size = file.length;
  if (status === 200) {
    expect(body.equals(file)).toBe(true);
    return;
  }
  if (status !== 206) return;
  const type = String(headers['content-type']);
  const parts = type.startsWith('multipart/byteranges')
    ? parseMultipart(body, type).map((p) => ({ range: p.contentRange, data: p.data }))
    : [{ range: String(headers['content-range']), data: body }];
  expect(parts.length).toBeGreaterThan(0);
  expect(parts.length).toBeLessThanOrEqual(8);
  for (const p of parts) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(p.range);
    expect(m).not.toBeNull();
    const [start, end, total] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(total).toBe(size);
    expect(start).toBeLessThanOrEqual(end);
    expect(end).toBeLessThan(size);
    expect(p.data.equals(file.subarray(start, end + 1))).toBe(true);
  }
}

describe('fuzzed Range headers over HTTP', () => {
  it('never a 5xx, never a byte outside the file or at the wrong position', async () => {
    await fc.assert(
      fc.asyncProperty(rangeHeader, fc.option(validatorHeader, { nil: undefined }), fc.constantFrom('GET', 'HEAD'), async (range, ifRange, method) => {
        const res = await rawRequest(url, { method, headers: { range, ...(ifRange !== undefined ? { 'if-range': ifRange } : {}) } });
        expect(res.status).toBeLessThan(500);
        expect([200, 206, 416]).toContain(res.status);
        expect(Number(res.headers['content-length'] ?? 0)).toBe(
          method === 'HEAD' ? (res.status === 416 ? 0 : Number(res.headers['content-length'])) : res.body.length,
        );
        if (method === 'GET') checkBody(res.status, res.headers, res.body);
        else expect(res.body.length).toBe(0);
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('junk in the ticket position never causes a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%'.split('')), maxLength: 300 }), async (token) => {
        const res = await rawRequest(`${h.baseUrl}/stream/${token}`);
        expect([401, 404]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
