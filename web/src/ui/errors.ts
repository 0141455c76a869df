import type { CombinedError } from '@urql/core';

/** The API's error code (`extensions.code`) of a failed operation, or NETWORK when it never answered. */
export function errorCode(error: CombinedError | undefined): string | undefined {
  if (!error) return undefined;
  if (error.networkError) return 'NETWORK';
  return (error.graphQLErrors[0]?.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
}

/** A sentence for the user about a failed operation. */
export function errorText(error: CombinedError | undefined): string {
  switch (errorCode(error) ?? 'UNKNOWN') {
    case 'NETWORK':
      return 'the server could not be reached';
    case 'FORBIDDEN':
      return 'you may not change this';
    case 'NOT_FOUND':
      return 'it no longer exists';
    case 'CONFLICT':
      return 'it was changed elsewhere in the meantime';
    case 'RATE_LIMITED':
      return 'too many requests, try again in a moment';
    case 'BAD_USER_INPUT':
      return error?.graphQLErrors[0]?.message ?? 'the input was not accepted';
    case 'QUOTA_EXCEEDED':
      return "today's plays of your plan are used up";
    default:
      return 'something went wrong on the server';
  }
}
