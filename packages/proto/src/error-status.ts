import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { asServiceUnavailable } from '@ytm/errors';

/** Trailer that carries the domain code, so A → gRPC → B keeps e.g. QUOTA_EXCEEDED apart from RATE_LIMITED. */
export const ERROR_CODE_TRAILER = 'ytm-error-code';

const STATUS_BY_CODE: Readonly<Record<string, status>> = {
  BAD_USER_INPUT: status.INVALID_ARGUMENT,
  GRAPHQL_VALIDATION_FAILED: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  FORBIDDEN: status.PERMISSION_DENIED,
  NOT_FOUND: status.NOT_FOUND,
  CONFLICT: status.ALREADY_EXISTS,
  QUOTA_EXCEEDED: status.RESOURCE_EXHAUSTED,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
  INTERNAL_SERVER_ERROR: status.INTERNAL,
  SERVICE_UNAVAILABLE: status.UNAVAILABLE,
};

const CODE_BY_STATUS: Readonly<Partial<Record<status, string>>> = {
  [status.INVALID_ARGUMENT]: 'BAD_USER_INPUT',
  [status.OUT_OF_RANGE]: 'BAD_USER_INPUT',
  [status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [status.PERMISSION_DENIED]: 'FORBIDDEN',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'CONFLICT',
  [status.ABORTED]: 'CONFLICT',
  [status.FAILED_PRECONDITION]: 'CONFLICT',
  [status.RESOURCE_EXHAUSTED]: 'RATE_LIMITED',
  [status.UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [status.DEADLINE_EXCEEDED]: 'SERVICE_UNAVAILABLE',
};

/** The gRPC status for a domain error code; unknown codes are INTERNAL. */
export function grpcStatusFromCode(code: string): status {
  return STATUS_BY_CODE[code] ?? status.INTERNAL;
}

/** The domain code for a gRPC status; an unreachable peer (UNAVAILABLE, DEADLINE_EXCEEDED) is SERVICE_UNAVAILABLE, other failures INTERNAL_SERVER_ERROR. */
export function codeFromGrpcStatus(grpcStatus: status): string {
  return CODE_BY_STATUS[grpcStatus] ?? 'INTERNAL_SERVER_ERROR';
}

/**
 * Turns a thrown value into what a server handler passes to its callback.
 * Errors with a known domain `code` keep their message (domain messages are safe);
 * anything else becomes a bare INTERNAL, reported once through `onInternal`.
 */
export function toGrpcError(err: unknown, onInternal?: (err: unknown) => void): Partial<StatusObject> {
  const unavailable = domainCodeOf(err) === undefined ? asServiceUnavailable(err) : undefined;
  if (unavailable) {
    onInternal?.(err);
    err = unavailable;
  }
  const code = domainCodeOf(err);
  const metadata = new Metadata();
  if (code === undefined || code === 'INTERNAL_SERVER_ERROR') {
    onInternal?.(err);
    metadata.set(ERROR_CODE_TRAILER, 'INTERNAL_SERVER_ERROR');
    return { code: status.INTERNAL, details: 'Internal error', metadata };
  }
  metadata.set(ERROR_CODE_TRAILER, code);
  return { code: grpcStatusFromCode(code), details: (err as Error).message, metadata };
}

export interface RemoteError {
  /** Domain code: from the peer's trailer when present, else derived from the status. */
  code: string;
  message: string;
  grpcStatus: status;
}

/** Reads a failed client call back into a domain code and message. */
export function fromGrpcError(err: unknown): RemoteError {
  if (!isServiceError(err)) {
    return { code: 'INTERNAL_SERVER_ERROR', message: err instanceof Error ? err.message : String(err), grpcStatus: status.UNKNOWN };
  }
  const trailer = err.metadata?.get(ERROR_CODE_TRAILER)[0];
  const code = typeof trailer === 'string' && trailer in STATUS_BY_CODE ? trailer : codeFromGrpcStatus(err.code);
  return { code, message: err.details, grpcStatus: err.code };
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}

function domainCodeOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code in STATUS_BY_CODE ? code : undefined;
}
