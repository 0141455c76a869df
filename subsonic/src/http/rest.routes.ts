import type Koa from 'koa';
import { PayloadTooLargeError, readBody, type AppState } from '@ytm/http';
import type { Principal } from '../auth/principal.js';
import { BINARY, type Call, type EndpointTable } from '../endpoints/endpoint.js';
import { render } from '../format/render.js';
import { ErrorCode, errorPayload, SubsonicError, type Payload } from '../format/response.js';
import type { Services } from '../services.js';
import { Notes } from '../ytm/notes.js';
import { Params, redactedParams } from './params.js';

const PREFIX = '/rest/';
const ENDPOINT_NAME = /^[A-Za-z0-9]{1,64}$/;

function send(ctx: Koa.ParameterizedContext<AppState>, params: URLSearchParams, serverVersion: string, status: 'ok' | 'failed', payload: Payload): void {
  const { type, body } = render(params, serverVersion, status, payload);
  ctx.status = 200;
  ctx.type = type;
  ctx.body = body;
}

/** Query string plus, for a form POST (OpenSubsonic `formPost`), the body's fields. */
async function readParams(ctx: Koa.ParameterizedContext<AppState>, bodyLimit: number): Promise<URLSearchParams> {
  const params = new URLSearchParams(ctx.querystring);
  if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await readBody(ctx.req, bodyLimit))) params.append(k, v);
  }
  return params;
}

/**
 * `/rest/<endpoint>[.view]` (GET, HEAD, form POST): authenticate, run the endpoint, answer in
 * XML (default), JSON (`f=json`) or JSONP. Every failure is HTTP 200 with `status="failed"` and
 * a Subsonic error code; unexpected ones are logged (secrets redacted) and answered as code 0.
 */
export function restRoutes(deps: { endpoints: EndpointTable; services: Services; bodyLimit: number }): Koa.Middleware<AppState> {
  const { endpoints, services } = deps;
  return async (ctx, next) => {
    if (!ctx.path.startsWith(PREFIX)) {
      await next();
      return;
    }
    if (!['GET', 'HEAD', 'POST'].includes(ctx.method)) {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD, POST');
      return;
    }
    let params = new URLSearchParams(ctx.querystring);
    const name = ctx.path.slice(PREFIX.length).replace(/\.view$/, '');
    try {
      params = await readParams(ctx, deps.bodyLimit);
      const endpoint = ENDPOINT_NAME.test(name) && Object.hasOwn(endpoints, name) ? endpoints[name] : undefined;
      if (!endpoint) throw new SubsonicError(ErrorCode.GENERIC, `Unknown endpoint: ${name.slice(0, 64)}`);
      const p = new Params(params);
      const principal: Principal | undefined = endpoint.public ? undefined : await services.auth.authenticate(p, ctx.ip);
      const call: Call = {
        params: p,
        principal: principal as Principal,
        services,
        log: ctx.state.log,
        requestId: ctx.state.requestId,
        koa: ctx,
        gql: (query, variables) => services.graphql.query(principal?.accessToken ?? '', query, variables, ctx.state.requestId),
        notes: () => (principal ? services.userData.notes(principal.userId) : Promise.resolve(Notes.NONE)),
      };
      const result = await endpoint.handler(call);
      if (result === BINARY) return;
      send(ctx, params, services.serverVersion, 'ok', result);
    } catch (err) {
      if (ctx.res.headersSent) {
        ctx.res.destroy();
        return;
      }
      ctx.respond = true;
      let failure: SubsonicError;
      if (err instanceof SubsonicError) failure = err;
      else if (err instanceof PayloadTooLargeError) failure = new SubsonicError(ErrorCode.GENERIC, err.message);
      else {
        ctx.state.log.error({ err, endpoint: name, params: redactedParams(params) }, 'subsonic request failed');
        failure = new SubsonicError(ErrorCode.GENERIC, `Internal error (request ${ctx.state.requestId})`);
      }
      send(ctx, params, services.serverVersion, 'failed', errorPayload(failure));
    }
  };
}
