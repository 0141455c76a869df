import fc from 'fast-check';

const num = fc.oneof(fc.nat({ max: 30_000 }), fc.nat({ max: 200 }), fc.constantFrom('0', '00', '99999999999999999999', '18446744073709551616').map(String));
const spec = fc.oneof(
  fc.tuple(num, num).map(([a, b]) => `${a}-${b}`),
  num.map((a) => `${a}-`),
  num.map((n) => `-${n}`),
  fc.constantFrom('', '-', '--1', 'a-b', '1-2-3', '-0', ' 5 - 6 ', '0x10-20', '+1-2', '1.5-2'),
);
const ows = fc.constantFrom('', ' ', '  ', '\t');
/** Printable ASCII: what an HTTP client can put in a header value. */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });

/** Range header values: mostly well-formed sets of specs, some junk, some other units. */
export const rangeHeader = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom('bytes', 'BYTES', 'Bytes', 'bytes ', 'items'),
        fc.array(
          fc.tuple(ows, spec, ows).map((p) => p.join('')),
          { minLength: 1, maxLength: 25 },
        ),
      )
      .map(([unit, specs]) => `${unit}=${specs.join(',')}`),
  },
  { weight: 2, arbitrary: printable },
  { weight: 1, arbitrary: printable.map((s) => `bytes=${s}`) },
);

export const validatorHeader = fc.oneof(printable, fc.constantFrom('*', '"x"', 'W/"x"', 'Thu, 01 Jan 1970 00:00:00 GMT'));
