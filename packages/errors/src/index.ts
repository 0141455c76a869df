export * from './domain-error.js';
export * from './graphql.js';
export * from './unavailable.js';
