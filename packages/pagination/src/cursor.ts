import { BadUserInputError } from '@ytm/errors';

/** What a cursor remembers: the sort key of the last item seen (ending with its ID, so the order is total). */
export type CursorKey = readonly (string | number)[];

/** Longer `after` values are refused before any decoding. */
export const MAX_CURSOR_LENGTH = 512;

/**
 * Cursors are opaque: base64url of JSON `[scope, ...key]`. The scope names the list (and its
 * filter or sort), so a cursor of one list is refused by another.
 */
export function encodeCursor(scope: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([scope, ...key])).toString('base64url');
}

/**
 * The key of a cursor of the list `scope`; `shape` (when given) the type of each part. Anything
 * else, including a cursor of another list, is a BAD_USER_INPUT on `after`.
 */
export function decodeCursor(scope: string, cursor: string, shape?: readonly ('string' | 'number')[]): (string | number)[] {
  const bad = () => new BadUserInputError('after is not a cursor of this list', 'after');
  if (cursor.length > MAX_CURSOR_LENGTH) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed[0] !== scope) throw bad();
  const key: unknown[] = parsed.slice(1);
  if (shape ? key.length !== shape.length || key.some((v, i) => typeof v !== shape[i]) : key.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw bad();
  }
  return key as (string | number)[];
}
