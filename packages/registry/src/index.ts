// @ytm/registry: how every service announces itself to the router's gRPC registry.
export { startRegistration, type Registration, type RegistrationLogger, type RegistrationOptions } from './registry.grpc-client.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { registerWithEveryRouter, type EveryRouterOptions, type EveryRouterRegistration } from './every-router.js';
