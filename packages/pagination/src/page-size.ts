import { BadUserInputError } from '@ytm/errors';

/** The contract's page sizes (api.graphql, Conventions): `first` defaults to 25 and is at most 100. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** The arguments of every connection field. */
export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/**
 * `first` as asked, or `defaultSize` when absent: an integer in 1..100, anything else a
 * BAD_USER_INPUT on `first`, never a silent clamp. `defaultSize` is the field's SDL default.
 */
export function pageSize(first: number | null | undefined, defaultSize = DEFAULT_PAGE_SIZE): number {
  const n = first ?? defaultSize;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  return n;
}
