import { ErrorCode, SubsonicError } from '../format/response.js';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; retryAfter?: number } & Record<string, unknown>;
}

/** A failed GraphQL operation, mapped to the Subsonic code its first error means. */
export function subsonicErrorOf(errors: GraphQLError[]): SubsonicError {
  const first = errors[0];
  const code = first?.extensions?.code;
  const message = first?.message ?? 'Unknown error';
  if (code === 'NOT_FOUND') return new SubsonicError(ErrorCode.NOT_FOUND, message);
  // Unknown track IDs in a playlist change, or an ID that cannot exist: the data was not found.
  if (code === 'BAD_USER_INPUT') {
    const ext = first?.extensions ?? {};
    const badId = ext.unknownTrackIds !== undefined || ext.field === 'id' || ext.field === 'trackId';
    return new SubsonicError(badId ? ErrorCode.NOT_FOUND : ErrorCode.GENERIC, message);
  }
  if (code === 'FORBIDDEN') return new SubsonicError(ErrorCode.NOT_AUTHORIZED, message);
  if (code === 'UNAUTHENTICATED') return new SubsonicError(ErrorCode.WRONG_CREDENTIALS, message);
  // The router's per-user cost budget (USER_COST_PER_MINUTE): say when to come back.
  const retryAfter = first?.extensions?.retryAfter;
  if (code === 'RATE_LIMITED' && typeof retryAfter === 'number') return new SubsonicError(ErrorCode.GENERIC, `${message} (retry in ${retryAfter} s)`);
  return new SubsonicError(ErrorCode.GENERIC, code === 'INTERNAL_SERVER_ERROR' ? 'The server could not answer; try again' : message);
}

/** The public GraphQL API through the router, called with the request's access token. */
export class GraphQLClient {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** The data, or a SubsonicError for the first GraphQL error (none of a partial answer is used). */
  async query<T>(token: string, query: string, variables: Record<string, unknown> = {}, requestId?: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new SubsonicError(ErrorCode.GENERIC, 'The music service is not reachable right now; try again');
    }
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: GraphQLError[] };
    if (body.errors && body.errors.length > 0) throw subsonicErrorOf(body.errors);
    if (!body.data) throw new SubsonicError(ErrorCode.GENERIC, `The music service answered HTTP ${res.status}`);
    return body.data;
  }
}
