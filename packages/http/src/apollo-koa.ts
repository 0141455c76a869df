import type { ApolloServer, BaseContext, HTTPGraphQLRequest } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type Koa from 'koa';
import type { AppState } from './app.js';
import { readJson } from './body.js';

export interface ApolloKoaOptions<C extends BaseContext> {
  context: (ctx: Koa.ParameterizedContext<AppState>) => Promise<C>;
  bodyLimitBytes?: number;
}

/** Mounts Apollo Server 5 on Koa (the official integration needs Node 22). */
export function apolloKoa<C extends BaseContext>(server: ApolloServer<C>, options: ApolloKoaOptions<C>): Koa.Middleware<AppState> {
  const { bodyLimitBytes = 1_000_000 } = options;
  return async (ctx) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(ctx.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = ctx.method === 'POST' ? await readJson(ctx.req, bodyLimitBytes) : undefined;
    const request: HTTPGraphQLRequest = { method: ctx.method.toUpperCase(), headers, search: ctx.querystring ? `?${ctx.querystring}` : '', body };
    const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context: () => options.context(ctx) });
    for (const [key, value] of response.headers) ctx.set(key, value);
    ctx.status = response.status ?? 200;
    if (response.body.kind === 'complete') {
      ctx.body = response.body.string;
      return;
    }
    // Incremental delivery: write chunks as they come.
    ctx.respond = false;
    ctx.res.writeHead(ctx.status, Object.fromEntries(response.headers));
    for await (const chunk of response.body.asyncIterator) ctx.res.write(chunk);
    ctx.res.end();
  };
}
