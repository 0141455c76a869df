import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseRange } from '../../src/http/byte-ranges.js';
import { planResponse } from '../../src/http/range-plan.js';
import { rangeHeader, validatorHeader } from '../support/range-arbitraries.js';

const rep = (size: number) => ({ size, mtimeMs: 1_700_000_000_123, contentType: 'audio/mpeg' });

describe('parseRange', () => {
  it.each([
    ['bytes=0-4', 10, { type: 'ranges', ranges: [{ start: 0, end: 4 }] }],
    ['bytes=-3', 10, { type: 'ranges', ranges: [{ start: 7, end: 9 }] }],
    ['bytes=5-', 10, { type: 'ranges', ranges: [{ start: 5, end: 9 }] }],
    ['bytes=-0', 10, { type: 'unsatisfiable' }],
    ['bytes=10-', 10, { type: 'unsatisfiable' }],
    ['bytes=0-', 0, { type: 'unsatisfiable' }],
    ['bytes=-5', 0, { type: 'ignore' }],
    ['bytes=3-1', 10, { type: 'ignore' }],
    ['bytes=0-1,x', 10, { type: 'ignore' }],
    ['octets=0-1', 10, { type: 'ignore' }],
    ['bytes=0-1,3-4', 1000, { type: 'ranges', ranges: [{ start: 0, end: 4 }] }],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size, { maxParts: 4 })).toEqual(expected);
  });

  it('ignores a set with more parts than allowed after coalescing', () => {
    expect(parseRange('bytes=0-0,200-200,400-400', 1000, { maxParts: 2 })).toEqual({ type: 'ignore' });
    expect(parseRange('bytes=0-0,1-1,2-2,3-3', 1000, { maxParts: 2 })).toEqual({ type: 'ranges', ranges: [{ start: 0, end: 3 }] });
  });
});

describe('planResponse, fuzzed', () => {
  it('never plans a byte outside the file, and every answer is 200, 206 or 416 with consistent headers', () => {
    fc.assert(
      fc.property(rangeHeader, fc.nat({ max: 20_000 }), fc.constantFrom('GET', 'HEAD') as fc.Arbitrary<'GET' | 'HEAD'>, (header, size, method) => {
        const plan = planResponse(method, { range: header }, rep(size), { maxParts: 8, boundary: 'B' });
        expect([200, 206, 416]).toContain(plan.status);
        let length = 0;
        for (const part of plan.body) {
          if ('literal' in part) {
            length += part.literal.length;
            continue;
          }
          expect(part.file.start).toBeGreaterThanOrEqual(0);
          expect(part.file.end).toBeLessThan(size);
          expect(part.file.start).toBeLessThanOrEqual(part.file.end);
          length += part.file.end - part.file.start + 1;
        }
        if (method === 'HEAD') expect(plan.body).toEqual([]);
        else expect(String(length)).toBe(plan.headers['content-length']);
        if (plan.status === 416) expect(plan.headers['content-range']).toBe(`bytes */${size}`);
        if (plan.status === 206) {
          expect(plan.ranges.length).toBeLessThanOrEqual(8);
          for (let i = 1; i < plan.ranges.length; i++) expect(plan.ranges[i]!.start).toBeGreaterThan(plan.ranges[i - 1]!.end + 1);
        }
        if (plan.status === 200) expect(plan.headers['content-length']).toBe(String(size));
      }),
      { numRuns: 5_000 },
    );
  });

  it('covers every byte a valid request asked for', () => {
    const spec = fc.oneof(
      fc
        .tuple(fc.nat({ max: 3000 }), fc.nat({ max: 3000 }))
        .map(([a, b]) => ({ text: `${Math.min(a, b)}-${Math.max(a, b)}`, from: Math.min(a, b), to: Math.max(a, b) })),
      fc.nat({ max: 3000 }).map((a) => ({ text: `${a}-`, from: a, to: Infinity })),
      fc.integer({ min: 1, max: 3000 }).map((n) => ({ text: `-${n}`, suffix: n })),
    );
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 2500 }), (specs, size) => {
        const plan = planResponse('GET', { range: `bytes=${specs.map((s) => s.text).join(',')}` }, rep(size), { maxParts: 100 });
        const covered = (byte: number) => plan.ranges.some((r) => r.start <= byte && byte <= r.end);
        for (const s of specs) {
          const [from, to] = 'suffix' in s ? [Math.max(0, size - (s.suffix as number)), size - 1] : [s.from as number, Math.min(s.to as number, size - 1)];
          if (from >= size) continue;
          for (const b of [from, to, Math.floor((from + to) / 2)]) expect(covered(b)).toBe(true);
        }
        const anySatisfiable = specs.some((s) => ('suffix' in s ? true : (s.from as number) < size));
        expect(plan.status).toBe(anySatisfiable ? 206 : 416);
      }),
      { numRuns: 3_000 },
    );
  });

  it('preconditions and If-Range never break the invariants', () => {
    fc.assert(
      fc.property(rangeHeader, validatorHeader, validatorHeader, validatorHeader, (range, ifRange, ifNoneMatch, ifModifiedSince) => {
        const plan = planResponse('GET', { range, ifRange, ifNoneMatch, ifModifiedSince }, rep(5000), { maxParts: 8 });
        expect([200, 206, 304, 416]).toContain(plan.status);
        if (plan.status === 304) expect(plan.body).toEqual([]);
      }),
      { numRuns: 2_000 },
    );
  });
});
