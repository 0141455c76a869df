import { ErrorCode, missing, SubsonicError } from '../format/response.js';

/**
 * The longest free text accepted where it is kept or keyed on (a genre, a client's name `c`): a
 * form POST body may carry ~1 MB in one parameter.
 */
export const MAX_TEXT_LENGTH = 256;

/** The request's parameters (query string and form body together); names may repeat. */
export class Params {
  constructor(private readonly entries: URLSearchParams) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The first value, or undefined (an empty value counts as given). */
  get(name: string): string | undefined {
    return this.entries.get(name) ?? undefined;
  }

  all(name: string): string[] {
    return this.entries.getAll(name);
  }

  /** Error 10 when absent or empty. */
  required(name: string): string {
    const v = this.entries.get(name);
    if (v === null || v === '') throw missing(name);
    return v;
  }

  /** Free text (a genre, the client's name): the first value, or undefined; error 0 when longer than `max` characters. */
  text(name: string, max = MAX_TEXT_LENGTH): string | undefined {
    const v = this.get(name);
    if (v !== undefined && v.length > max) throw new SubsonicError(ErrorCode.GENERIC, `Parameter ${name} must be at most ${max} characters`);
    return v;
  }

  /** `text` that must be given: error 10 when absent or empty. */
  requiredText(name: string, max = MAX_TEXT_LENGTH): string {
    this.required(name);
    return this.text(name, max)!;
  }

  /** Every non-empty value of a repeatable ID parameter; error 0 with `tooMany` when there are more than `max`. */
  ids(name: string, max: number, tooMany: string): string[] {
    const ids = this.entries.getAll(name).filter(Boolean);
    if (ids.length > max) throw new SubsonicError(ErrorCode.GENERIC, `${tooMany} (${name}: ${ids.length} given)`);
    return ids;
  }

  /** An integer in [min, max]; `fallback` when absent; error 0 naming the parameter otherwise. */
  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.entries.get(name);
    if (raw === null || raw === '') return fallback;
    return parseIntParam(name, raw, min, max);
  }

  optionalInt(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const raw = this.entries.get(name);
    if (raw === null || raw === '') return undefined;
    return parseIntParam(name, raw, min, max);
  }

  requiredInt(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    return parseIntParam(name, this.required(name), min, max);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.entries.get(name);
    if (raw === null || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new SubsonicError(ErrorCode.GENERIC, `Parameter ${name} must be true or false`);
  }
}

function parseIntParam(name: string, raw: string, min: number, max: number): number {
  const n = /^-?\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SubsonicError(ErrorCode.GENERIC, `Parameter ${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

/** Query-string secrets; never logged. */
export const SECRET_PARAMS = ['p', 't', 's', 'apiKey'] as const;

/** The parameters as a log-safe object: secrets replaced by `[redacted]`. */
export function redactedParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = (SECRET_PARAMS as readonly string[]).includes(k) ? '[redacted]' : v.slice(0, 200);
  return out;
}
