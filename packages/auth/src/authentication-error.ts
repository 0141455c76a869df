import { UnauthenticatedError } from '@ytm/errors';

/** Why a credential was refused: the header was not `Bearer <token>`, or the token did not verify. */
export type AuthenticationFailure = 'MALFORMED' | 'INVALID';

const MESSAGES: Record<AuthenticationFailure, string> = {
  MALFORMED: 'Malformed Authorization header',
  INVALID: 'Invalid or expired access token',
};

/**
 * A refused credential (UNAUTHENTICATED): each edge maps it (GraphQL error with HTTP 401,
 * WebSocket close 4403, JSON 401). `detail` is for logs only, never for the client.
 */
export class AuthenticationError extends UnauthenticatedError {
  constructor(
    readonly failure: AuthenticationFailure,
    readonly detail?: string,
  ) {
    super(MESSAGES[failure]);
  }
}
