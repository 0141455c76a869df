/** An inclusive byte range of a representation, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What a Range header asks of a representation of `size` bytes (RFC 9110 §14.1-14.2):
 * - `ignore`: no usable header (absent, another unit, invalid syntax, too many parts): send it all;
 * - `unsatisfiable`: valid, but no range overlaps the representation: 416;
 * - `ranges`: the satisfiable ranges, sorted and coalesced, never outside [0, size).
 */
export type RangeRequest = { type: 'ignore' } | { type: 'unsatisfiable' } | { type: 'ranges'; ranges: ByteRange[] };

export interface ParseRangeOptions {
  /** More parts than this (after coalescing) and the header is ignored, as RFC 9110 §14.2 allows. */
  maxParts: number;
  /** Ranges closer than this are merged: a gap this small costs less than another part's headers. */
  coalesceGap?: number;
  /** Longer headers are ignored without parsing. */
  maxHeaderLength?: number;
}

const IGNORE = { type: 'ignore' } as const;
const UNSATISFIABLE = { type: 'unsatisfiable' } as const;
const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

export function parseRange(header: string | undefined, size: number, options: ParseRangeOptions): RangeRequest {
  const { maxParts, coalesceGap = 80, maxHeaderLength = 4096 } = options;
  if (header === undefined || header.length > maxHeaderLength) return IGNORE;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return IGNORE;
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    // RFC 9110 §5.6.1.2: recipients accept empty list elements.
    .filter((s) => s.length > 0);
  if (specs.length === 0) return IGNORE;

  const satisfiable: ByteRange[] = [];
  for (const spec of specs) {
    const int = INT_RANGE.exec(spec);
    if (int) {
      const first = toNumber(int[1] as string);
      const last = int[2] === '' ? Infinity : toNumber(int[2] as string);
      if (last < first) return IGNORE; // invalid range-spec: the whole field is invalid
      if (first < size) satisfiable.push({ start: first, end: Math.min(last, size - 1) });
      continue;
    }
    const suffix = SUFFIX_RANGE.exec(spec);
    if (suffix) {
      const length = toNumber(suffix[1] as string);
      if (length > 0 && size > 0) satisfiable.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    return IGNORE;
  }
  if (satisfiable.length === 0) return size === 0 && specs.some((s) => SUFFIX_RANGE.test(s) && toNumber(s.slice(1)) > 0) ? IGNORE : UNSATISFIABLE;
  const ranges = coalesce(satisfiable, coalesceGap);
  return ranges.length > maxParts ? IGNORE : { type: 'ranges', ranges };
}

/** Digits to a number; absurdly long values become Infinity rather than losing precision. */
function toNumber(digits: string): number {
  return digits.length > 15 ? Infinity : Number(digits);
}

function coalesce(ranges: ByteRange[], gap: number): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1 + gap) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
