// @ytm/trust: service identities on the internal plane: who may call which gRPC method
// (the access table), the key pairs behind the identities, and the short-lived tokens
// every internal call carries.
export { SERVICE_ACCESS, SERVICE_IDENTITIES, accessOf, isServiceIdentity, type MethodAccess, type ServiceIdentityName } from './service-access.js';
export { ServiceIdentity, type LoadIdentityOptions, type TrustLogger } from './service-identity.js';
export { ServiceTokenSigner, ServiceTokenVerifier, ServiceTokenError, SERVICE_TOKEN_TYPE } from './service-token.js';
export { ensureTrustMaterial, rotateKey, retirePreviousKeys, readTrustedKeys, keyId, privateKeyPath, type TrustedKey } from './trust-material.js';
