/** The validators of one file version. */
export interface Validators {
  /** Strong entity tag, quoted. */
  etag: string;
  /** Whole seconds since the epoch (HTTP dates have no finer precision). */
  lastModifiedSec: number;
}

export interface ConditionalHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
  ifRange?: string;
}

/** Outcome of the preconditions for GET/HEAD (RFC 9110 §13.2.2, in its order). */
export type PreconditionResult = 'proceed' | 'not-modified' | 'failed';

/** A strong ETag from size and mtime, the same inputs nginx uses. */
export function validatorsOf(size: number, mtimeMs: number): Validators {
  const mtime = Math.floor(mtimeMs);
  return { etag: `"${size.toString(16)}-${mtime.toString(16)}"`, lastModifiedSec: Math.floor(mtime / 1000) };
}

export function evaluatePreconditions(h: ConditionalHeaders, v: Validators): PreconditionResult {
  if (h.ifMatch !== undefined) {
    if (!matchesList(h.ifMatch, v.etag, true)) return 'failed';
  } else if (h.ifUnmodifiedSince !== undefined) {
    const since = parseHttpDate(h.ifUnmodifiedSince);
    if (since !== undefined && v.lastModifiedSec > since) return 'failed';
  }
  if (h.ifNoneMatch !== undefined) {
    if (matchesList(h.ifNoneMatch, v.etag, false)) return 'not-modified';
  } else if (h.ifModifiedSince !== undefined) {
    const since = parseHttpDate(h.ifModifiedSince);
    if (since !== undefined && v.lastModifiedSec <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * If-Range (RFC 9110 §13.1.5): the Range applies only when the validator still matches: an
 * entity tag by strong comparison (a weak one never matches), a date only when it is exactly the
 * Last-Modified. Otherwise the whole representation is sent.
 */
export function ifRangeHolds(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag;
  const date = parseHttpDate(value);
  return date !== undefined && date === v.lastModifiedSec;
}

/** `*` or a comma list of entity tags; weak comparison unless `strong`. */
function matchesList(header: string, etag: string, strong: boolean): boolean {
  const value = header.trim();
  if (value === '*') return true;
  for (const raw of value.split(',')) {
    const tag = raw.trim();
    if (tag === '') continue;
    if (strong) {
      if (tag === etag) return true;
    } else if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}

const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** IMF-fixdate to whole seconds; other or invalid forms are undefined (the condition is ignored). */
export function parseHttpDate(value: string): number | undefined {
  const v = value.trim();
  if (!HTTP_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
