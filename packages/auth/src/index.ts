export * from './viewer.js';
export * from './access-token-verifier.js';
export * from './authentication-error.js';
export * from './authenticator.js';
export * from './jwks-key-resolver.js';
export * from './access-rules.js';
