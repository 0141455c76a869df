export * from './app.js';
export * from './apollo-koa.js';
export * from './body.js';
export * from './lifecycle.js';
export * from '@ytm/metrics';
export * from './graphql-metrics.plugin.js';
export * from './raw-route.js';
export * from './client-address.js';
