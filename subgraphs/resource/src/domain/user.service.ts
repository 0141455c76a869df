import { ForbiddenError, UnauthenticatedError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import type { Clock } from './ports.js';
import { effectivePlan, type Plan, type User } from './user.js';

/** Who may read what of a user: the email rule, and the plan as it stands now. */
export class UserService {
  constructor(private readonly deps: { clock: Clock }) {}

  /**
   * The user themself and administrators only. `justAuthenticated`: the request just signed in
   * (or up, or refreshed) as this user, before any token was sent, and may read its own payload.
   */
  email(viewer: Viewer | null | undefined, user: User, justAuthenticated: boolean): string {
    if (justAuthenticated) return user.email;
    if (!viewer) throw new UnauthenticatedError();
    if (viewer.id !== user.id && viewer.role !== 'ADMIN') throw new ForbiddenError('Only the user and administrators may read the email');
    return user.email;
  }

  /** An expired PREMIUM plan reads as FREE. */
  plan(user: User): Plan {
    return effectivePlan(user.plan, this.deps.clock.now());
  }
}
