import type Koa from 'koa';
import type { AppState } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type { Principal } from '../auth/principal.js';
import type { Payload } from '../format/response.js';
import type { Params } from '../http/params.js';
import type { Notes } from '../ytm/notes.js';
import type { Services } from '../services.js';

/** What an endpoint handler gets for one request. */
export interface Call {
  params: Params;
  /** The authenticated user; endpoints marked `public` get none. */
  principal: Principal;
  services: Services;
  log: Logger;
  requestId: string;
  /** For binary endpoints (stream, download, getCoverArt), which answer on the response themselves. */
  koa: Koa.ParameterizedContext<AppState>;
  /** GraphQL as the request's user. */
  gql: <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;
  /** The user's ratings and album/artist stars (cached briefly; see ytm/notes.ts). */
  notes: () => Promise<Notes>;
}

/** A handler answers a payload (`{ album: {...} }`), or BINARY when it wrote the response itself. */
export type Handler = (call: Call) => Promise<Payload | typeof BINARY>;

export const BINARY = Symbol('binary response');

export interface Endpoint {
  handler: Handler;
  /** No authentication (getOpenSubsonicExtensions). */
  public?: boolean;
}

export type EndpointTable = Record<string, Endpoint>;
