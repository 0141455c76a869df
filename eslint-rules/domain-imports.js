// The options of ESLint's `no-restricted-imports` for files under a service's `src/domain/`.
// What a service's domain/ may not import: transports, drivers, and the service's own outer layers.
export const DOMAIN_FORBIDDEN = {
  paths: ['mongoose', 'mongodb', 'kafkajs', 'koa', 'graphql', 'graphql-tag', 'undici', 'ws', 'node:http', 'node:http2', 'node:net', 'dataloader'].map(
    (name) => ({
      name,
      message: 'domain/ holds the rules only: transports and drivers belong to the outer layers.',
    }),
  ),
  patterns: [
    { group: ['@grpc/*', '@koa/*', '@apollo/*'], message: 'domain/ holds the rules only: transports and drivers belong to the outer layers.' },
    {
      group: ['@ytm/mongo', '@ytm/events', '@ytm/proto', '@ytm/http', '@ytm/subgraph', '@ytm/registry'],
      message: 'domain/ may not depend on transport or persistence packages.',
    },
    {
      group: ['../*/**', '!../domain/**'],
      message: 'domain/ imports only domain/ (persistence, graphql, http, grpc and messaging depend on it, not the reverse).',
    },
  ],
};
