import { BadUserInputError } from '@ytm/errors';

/** `first` outside 1..max is a BAD_USER_INPUT, never a silent clamp (api.graphql conventions). */
export function checkFirst(first: number | null | undefined, fallback: number, max = 100): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadUserInputError(`first must be between 1 and ${max}`, 'first');
  return n;
}

/** Opaque cursors: base64url JSON, decoded strictly. */
export function encodeCursor(value: unknown[]): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, shape: Array<'string' | 'number'>): unknown[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const bad = () => new BadUserInputError('after is not a valid cursor', 'after');
  if (cursor.length > 512) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== shape.length) throw bad();
  const parts: unknown[] = value;
  if (parts.some((v, i) => typeof v !== shape[i])) throw bad();
  return parts;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export function connection<T>(edges: Array<{ cursor: string; node: T }>, hasNextPage: boolean, totalCount: number): Connection<T> {
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
