import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES, HTTP_STATUS, type ErrorCode } from './domain-error.js';
import { asServiceUnavailable } from './unavailable.js';

const PUBLIC_CODES = new Set<string>(ERROR_CODES);
/** Apollo's own codes for malformed operations, which are the client's fault and safe to show. */
const CLIENT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * A domain error as a GraphQL error. `httpStatus`: also set the response status (for errors
 * thrown while building the request context, such as a refused token, which Apollo reports as 500 otherwise).
 */
export function toGraphQLError(err: DomainError, options: { httpStatus?: boolean } = {}): GraphQLError {
  const http = options.httpStatus ? { http: { status: HTTP_STATUS[err.code] } } : {};
  return new GraphQLError(err.message, { extensions: { ...err.extensions, code: err.code, ...http } });
}

/**
 * For failures while building a GraphQL request's context (a refused token): a domain error
 * becomes a GraphQL error with its code and HTTP status; anything else is rethrown as it is.
 */
export function rethrowAsContextError(err: unknown): never {
  throw err instanceof DomainError ? toGraphQLError(err, { httpStatus: true }) : err;
}

export interface FormatErrorOptions {
  /** Called for every error that is masked, so it is logged in full exactly once. */
  onInternal?: (error: unknown) => void;
  /** Called for an unreachable dependency answered as SERVICE_UNAVAILABLE (default: onInternal). */
  onUnavailable?: (error: unknown) => void;
  requestId?: string;
}

/**
 * Apollo `formatError`: domain errors and well-known client errors pass with their code;
 * everything else becomes INTERNAL_SERVER_ERROR with no message detail and no stack.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown, options: FormatErrorOptions = {}): GraphQLFormattedError {
  let original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (!(original instanceof DomainError)) {
    const unavailable = asServiceUnavailable(original);
    if (unavailable) {
      (options.onUnavailable ?? options.onInternal)?.(original);
      original = unavailable;
    }
  }
  if (original instanceof DomainError) {
    return {
      message: original.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { ...original.extensions, code: original.code },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (PUBLIC_CODES.has(code) || CLIENT_CODES.has(code)) && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    const publicCode: string = code === 'GRAPHQL_PARSE_FAILED' ? 'GRAPHQL_VALIDATION_FAILED' : code;
    // Apollo's own text tells clients how to configure the server; say only what happened.
    const message = extensions.validationErrorCode === 'INTROSPECTION_DISABLED' ? 'Introspection is disabled' : formatted.message;
    return { ...formatted, message, extensions: { ...extensions, code: publicCode } };
  }
  options.onInternal?.(original);
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode, ...(options.requestId ? { requestId: options.requestId } : {}) },
  };
}
