export * from './test-token-issuer.js';
export * from './infra-env.js';
export * from './wait-for.js';
export * from './test-trust.js';
export * from './free-port.js';
