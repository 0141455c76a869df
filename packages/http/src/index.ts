export * from './app.js';
export * from './apollo-koa.js';
export * from './body.js';
export * from './lifecycle.js';
export * from './metrics.js';
export * from './graphql-metrics.plugin.js';
