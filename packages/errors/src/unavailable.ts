import { ServiceUnavailableError } from './domain-error.js';

/** Driver errors that mean the document store could not be reached (MongoDB driver and mongoose). */
const STORE_UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'StoreBusyError', // @ytm/mongo: a write that waited too long for its turn
]);
/** Socket errors of a refused or dropped connection to another service, or one that did not answer in time (undici's timeouts). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED. */
const GRPC_UNREACHABLE = new Set([14, 4]);

/**
 * Whether an error means a store, broker or service the operation needs could not be reached
 * (as opposed to a bug): those answer SERVICE_UNAVAILABLE with a retry time, never INTERNAL.
 * Recognised by shape, so this package needs no driver.
 */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  if (err instanceof ServiceUnavailableError) return true;
  if (STORE_UNREACHABLE.has(err.name)) return true;
  // mongoose queues operations while disconnected and fails them after bufferTimeoutMS.
  if (err.name === 'MongooseError' && /buffering timed out/.test(err.message)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && GRPC_UNREACHABLE.has(code) && 'details' in err && 'metadata' in err) return true;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'TimeoutError') return true; // AbortSignal.timeout on a call to another service
  return isUnavailableError((err as { cause?: unknown }).cause, depth + 1);
}

/** The client-facing form of an unreachable dependency. */
export function asServiceUnavailable(err: unknown): ServiceUnavailableError | undefined {
  if (err instanceof ServiceUnavailableError) return err;
  return isUnavailableError(err) ? new ServiceUnavailableError() : undefined;
}
