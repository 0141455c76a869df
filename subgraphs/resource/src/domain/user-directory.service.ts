import { createHash } from 'node:crypto';
import { BadUserInputError, ForbiddenError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '@ytm/pagination';
import type { UserRepository } from './ports.js';
import type { User } from './user.js';

export const MAX_SEARCH_LENGTH = 100;

/** The search as matched: trimmed; empty means everyone; longer than 100 characters is refused. */
export function normaliseSearch(search: string | null | undefined): string | undefined {
  const s = (search ?? '').trim();
  if (s.length > MAX_SEARCH_LENGTH) throw new BadUserInputError(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  return s || undefined;
}

/**
 * The administrators' list of users (the users page: find a user, see and set the plan). Pages
 * are ordered by email; a cursor belongs to its search (the scope carries a digest of it), so a
 * cursor of one search is refused by another.
 */
export class UserDirectoryService {
  constructor(private readonly deps: { users: UserRepository }) {}

  async list(viewer: Viewer, args: PageArgs & { search?: string | null }): Promise<Page<User>> {
    if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only administrators may list users');
    const first = pageSize(args.first);
    const search = normaliseSearch(args.search);
    const scope = `users:${createHash('sha256')
      .update(search ?? '')
      .digest('base64url')
      .slice(0, 12)}`;
    const after = args.after ? (decodeCursor(scope, args.after, ['string']) as [string]) : undefined;
    const page = await this.deps.users.page({ first, ...(after ? { afterEmail: after[0] } : {}), ...(search ? { search } : {}) });
    return {
      edges: page.users.map((u) => ({ cursor: encodeCursor(scope, [u.email]), node: u })),
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
  }
}
