/** The Subsonic REST API version this server implements (with OpenSubsonic extensions). */
export const API_VERSION = '1.16.1';
export const SERVER_TYPE = 'ytm';

/** Subsonic error codes (OpenSubsonic `error`). */
export const ErrorCode = {
  GENERIC: 0,
  MISSING_PARAMETER: 10,
  WRONG_CREDENTIALS: 40,
  TOKEN_AUTH_NOT_SUPPORTED: 41,
  CONFLICTING_AUTH: 43,
  INVALID_API_KEY: 44,
  NOT_AUTHORIZED: 50,
  NOT_FOUND: 70,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error answered as `status="failed"` with HTTP 200, as the spec says. */
export class SubsonicError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly helpUrl?: string,
  ) {
    super(message);
    this.name = 'SubsonicError';
  }
}

export const missing = (name: string) => new SubsonicError(ErrorCode.MISSING_PARAMETER, `Required parameter is missing: ${name}`);
export const notFound = (what: string) => new SubsonicError(ErrorCode.NOT_FOUND, `${what} not found`);
export const notImplemented = (endpoint: string) => new SubsonicError(ErrorCode.GENERIC, `${endpoint} is not implemented by this server`);

/** What an endpoint answers: the payload fields next to `status`, e.g. `{ album: {...} }`. */
export type Payload = Record<string, unknown>;

export type Format = 'xml' | 'json' | 'jsonp';

export interface Envelope {
  status: 'ok' | 'failed';
  version: string;
  type: string;
  serverVersion: string;
  openSubsonic: true;
}

export function envelope(status: Envelope['status'], serverVersion: string): Envelope {
  return { status, version: API_VERSION, type: SERVER_TYPE, serverVersion, openSubsonic: true };
}

export function errorPayload(err: SubsonicError): Payload {
  return { error: { code: err.code, message: err.message, ...(err.helpUrl ? { helpUrl: err.helpUrl } : {}) } };
}
