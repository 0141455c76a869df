import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { parseMultipart, rawRequest, type RawResponse } from '../support/raw-http.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

let h: Harness;
let url: string;
let file: Buffer;
let size: number;
let etag: string;
let lastModified: string;

beforeAll(async () => {
  h = await startHarness({ RANGE_MAX_PARTS: '4' });
  const track = h.addTrack('conformance', 10);
  file = readFileSync(track.path);
  size = file.length;
  const ticket = await h.requestPlayback(h.issuer.sign({ tier: 'PREMIUM' }), 'conformance');
  url = ticketUrl(h, ticket.token);
  const head = await rawRequest(url, { method: 'HEAD' });
  etag = String(head.headers.etag);
  lastModified = String(head.headers['last-modified']);
});
afterAll(() => h?.close());

type Expect =
  | { status: 200; full: true }
  | { status: 206; range: [number, number] }
  | { status: 206; parts: Array<[number, number]> }
  | { status: 304 | 412 }
  | { status: 416 };

interface Case {
  name: string;
  method?: 'GET' | 'HEAD';
  headers: () => Record<string, string>;
  expect: () => Expect;
}

const S = () => size;
const cases: Case[] = [
  { name: 'no Range: the whole file', headers: () => ({}), expect: () => ({ status: 200, full: true }) },
  { name: 'closed range', headers: () => ({ range: 'bytes=0-99' }), expect: () => ({ status: 206, range: [0, 99] }) },
  { name: 'one byte in the middle', headers: () => ({ range: 'bytes=1000-1000' }), expect: () => ({ status: 206, range: [1000, 1000] }) },
  { name: 'open-ended range', headers: () => ({ range: 'bytes=100-' }), expect: () => ({ status: 206, range: [100, S() - 1] }) },
  { name: 'suffix range', headers: () => ({ range: 'bytes=-500' }), expect: () => ({ status: 206, range: [S() - 500, S() - 1] }) },
  { name: 'suffix longer than the file: all of it', headers: () => ({ range: `bytes=-${S() * 2}` }), expect: () => ({ status: 206, range: [0, S() - 1] }) },
  { name: 'last byte', headers: () => ({ range: `bytes=${S() - 1}-${S() - 1}` }), expect: () => ({ status: 206, range: [S() - 1, S() - 1] }) },
  {
    name: 'end past the end is clipped',
    headers: () => ({ range: `bytes=${S() - 10}-${S() + 1000}` }),
    expect: () => ({ status: 206, range: [S() - 10, S() - 1] }),
  },
  { name: 'huge last-pos is clipped', headers: () => ({ range: 'bytes=0-99999999999999999999999' }), expect: () => ({ status: 206, range: [0, S() - 1] }) },
  { name: 'bytes=-0 is unsatisfiable', headers: () => ({ range: 'bytes=-0' }), expect: () => ({ status: 416 }) },
  { name: 'start at the size is unsatisfiable', headers: () => ({ range: `bytes=${S()}-` }), expect: () => ({ status: 416 }) },
  { name: 'start past the end is unsatisfiable', headers: () => ({ range: `bytes=${S() + 100}-${S() + 200}` }), expect: () => ({ status: 416 }) },
  { name: 'huge first-pos is unsatisfiable', headers: () => ({ range: 'bytes=99999999999999999999-' }), expect: () => ({ status: 416 }) },
  { name: 'unsatisfiable parts are dropped', headers: () => ({ range: `bytes=0-9,${S() + 5}-` }), expect: () => ({ status: 206, range: [0, 9] }) },
  {
    name: 'two ranges: multipart/byteranges',
    headers: () => ({ range: 'bytes=0-99,1000-1099' }),
    expect: () => ({
      status: 206,
      parts: [
        [0, 99],
        [1000, 1099],
      ],
    }),
  },
  {
    name: 'three ranges out of order: sorted parts',
    headers: () => ({ range: 'bytes=5000-5009,-10,0-9' }),
    expect: () => ({
      status: 206,
      parts: [
        [0, 9],
        [5000, 5009],
        [S() - 10, S() - 1],
      ],
    }),
  },
  { name: 'overlapping ranges are coalesced', headers: () => ({ range: 'bytes=0-99,50-149' }), expect: () => ({ status: 206, range: [0, 149] }) },
  { name: 'adjacent ranges are coalesced', headers: () => ({ range: 'bytes=0-99,100-199' }), expect: () => ({ status: 206, range: [0, 199] }) },
  { name: 'ranges a few bytes apart are coalesced', headers: () => ({ range: 'bytes=0-99,110-199' }), expect: () => ({ status: 206, range: [0, 199] }) },
  { name: 'duplicated range', headers: () => ({ range: 'bytes=10-19,10-19,10-19' }), expect: () => ({ status: 206, range: [10, 19] }) },
  {
    name: 'whitespace and empty list elements',
    headers: () => ({ range: 'bytes= 0-9 , ,2000-2009' }),
    expect: () => ({
      status: 206,
      parts: [
        [0, 9],
        [2000, 2009],
      ],
    }),
  },
  { name: 'unit is case-insensitive', headers: () => ({ range: 'BYTES=0-9' }), expect: () => ({ status: 206, range: [0, 9] }) },
  {
    name: 'more parts than the bound: whole file',
    headers: () => ({ range: 'bytes=0-0,1000-1000,2000-2000,3000-3000,4000-4000' }),
    expect: () => ({ status: 200, full: true }),
  },
  { name: 'garbage: letters', headers: () => ({ range: 'bytes=abc' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: last < first', headers: () => ({ range: 'bytes=500-100' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: another unit', headers: () => ({ range: 'pages=0-1' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: no ranges', headers: () => ({ range: 'bytes=' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: no equals sign', headers: () => ({ range: 'bytes' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: double dash', headers: () => ({ range: 'bytes=--1' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: three numbers', headers: () => ({ range: 'bytes=1-2-3' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: negative start', headers: () => ({ range: 'bytes=-5-10' }), expect: () => ({ status: 200, full: true }) },
  { name: 'garbage: one bad part spoils the set', headers: () => ({ range: 'bytes=0-9,x-y' }), expect: () => ({ status: 200, full: true }) },
  { name: 'HEAD with Range: 200 and the full length', method: 'HEAD', headers: () => ({ range: 'bytes=0-99' }), expect: () => ({ status: 200, full: true }) },
  { name: 'HEAD without Range', method: 'HEAD', headers: () => ({}), expect: () => ({ status: 200, full: true }) },
  {
    name: 'If-Range with the strong ETag: range applies',
    headers: () => ({ range: 'bytes=0-9', 'if-range': etag }),
    expect: () => ({ status: 206, range: [0, 9] }),
  },
  {
    name: 'If-Range with another ETag: whole file',
    headers: () => ({ range: 'bytes=0-9', 'if-range': '"other"' }),
    expect: () => ({ status: 200, full: true }),
  },
  {
    name: 'If-Range with a weak ETag never matches',
    headers: () => ({ range: 'bytes=0-9', 'if-range': `W/${etag}` }),
    expect: () => ({ status: 200, full: true }),
  },
  {
    name: 'If-Range with the exact Last-Modified',
    headers: () => ({ range: 'bytes=0-9', 'if-range': lastModified }),
    expect: () => ({ status: 206, range: [0, 9] }),
  },
  {
    name: 'If-Range with another date: whole file',
    headers: () => ({ range: 'bytes=0-9', 'if-range': new Date(Date.parse(lastModified) + 1000).toUTCString() }),
    expect: () => ({ status: 200, full: true }),
  },
  { name: 'If-Range with junk: whole file', headers: () => ({ range: 'bytes=0-9', 'if-range': 'yesterday' }), expect: () => ({ status: 200, full: true }) },
  { name: 'If-None-Match with the ETag: 304', headers: () => ({ 'if-none-match': etag }), expect: () => ({ status: 304 }) },
  { name: 'If-None-Match in a list, weak form: 304', headers: () => ({ 'if-none-match': `"x", W/${etag}` }), expect: () => ({ status: 304 }) },
  { name: 'If-None-Match *: 304', headers: () => ({ 'if-none-match': '*' }), expect: () => ({ status: 304 }) },
  { name: 'If-None-Match wins over Range', headers: () => ({ 'if-none-match': etag, range: 'bytes=0-9' }), expect: () => ({ status: 304 }) },
  { name: 'If-None-Match with another ETag: 200', headers: () => ({ 'if-none-match': '"other"' }), expect: () => ({ status: 200, full: true }) },
  { name: 'HEAD with If-None-Match: 304', method: 'HEAD', headers: () => ({ 'if-none-match': etag }), expect: () => ({ status: 304 }) },
  { name: 'If-Modified-Since at Last-Modified: 304', headers: () => ({ 'if-modified-since': lastModified }), expect: () => ({ status: 304 }) },
  {
    name: 'If-Modified-Since earlier: 200',
    headers: () => ({ 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() }),
    expect: () => ({ status: 200, full: true }),
  },
  { name: 'If-Match with another ETag: 412', headers: () => ({ 'if-match': '"other"' }), expect: () => ({ status: 412 }) },
  {
    name: 'If-Match with the ETag and a Range: 206',
    headers: () => ({ 'if-match': etag, range: 'bytes=0-9' }),
    expect: () => ({ status: 206, range: [0, 9] }),
  },
  { name: 'Accept-Encoding is ignored: no compression', headers: () => ({ 'accept-encoding': 'gzip, br' }), expect: () => ({ status: 200, full: true }) },
];

function checkCommon(res: RawResponse): void {
  expect(res.headers['accept-ranges']).toBe('bytes');
  expect(res.headers.etag).toBe(etag);
  expect(res.headers['last-modified']).toBe(lastModified);
  expect(res.headers['cache-control']).toMatch(/private/);
  expect(res.headers['content-encoding']).toBeUndefined();
}

describe('Range endpoint conformance (RFC 9110)', () => {
  it.each(cases)('$name', async (c) => {
    const method = c.method ?? 'GET';
    const res = await rawRequest(url, { method, headers: c.headers() });
    const want = c.expect();
    expect(res.status).toBe(want.status);
    checkCommon(res);
    if (method === 'HEAD' || want.status === 304) expect(res.body.length).toBe(0);
    if ('full' in want) {
      expect(res.headers['content-length']).toBe(String(size));
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.headers['content-range']).toBeUndefined();
      if (method === 'GET') expect(res.body.equals(file)).toBe(true);
    } else if ('range' in want) {
      const [a, b] = want.range;
      expect(res.headers['content-range']).toBe(`bytes ${a}-${b}/${size}`);
      expect(res.headers['content-length']).toBe(String(b - a + 1));
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.body.equals(file.subarray(a, b + 1))).toBe(true);
    } else if ('parts' in want) {
      const type = String(res.headers['content-type']);
      expect(type).toMatch(/^multipart\/byteranges; boundary=/);
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.headers['content-length']).toBe(String(res.body.length));
      const parts = parseMultipart(res.body, type);
      expect(parts.map((p) => p.contentRange)).toEqual(want.parts.map(([a, b]) => `bytes ${a}-${b}/${size}`));
      parts.forEach((p, i) => {
        const [a, b] = want.parts[i] as [number, number];
        expect(p.contentType).toBe('audio/wav');
        expect(p.data.equals(file.subarray(a, b + 1))).toBe(true);
      });
    } else if (want.status === 416) {
      expect(res.headers['content-range']).toBe(`bytes */${size}`);
      expect(res.body.length).toBe(0);
    }
  });

  it('rejects other methods with 405 and Allow', async () => {
    const res = await rawRequest(url, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});
