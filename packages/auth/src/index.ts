export * from './viewer.js';
export * from './access-token-verifier.js';
export * from './jwks-key-resolver.js';
