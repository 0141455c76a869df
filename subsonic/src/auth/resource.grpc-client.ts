import { createClient, fromGrpcError, ResourceClient, unaryCall, type CallerCredentials, type Principal as PrincipalMessage } from '@ytm/proto';
import { CredentialRejected, type CredentialVerifier, type Principal } from './principal.js';

function toPrincipal(m: PrincipalMessage): Principal {
  const u = m.user;
  if (!u) throw new Error('resource answered a principal without a user');
  return {
    userId: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role === 'ADMIN' ? 'ADMIN' : 'USER',
    planTier: u.planTier === 'PREMIUM' ? 'PREMIUM' : 'FREE',
    apiKeyId: m.apiKeyId || null,
    accessToken: m.accessToken,
    accessTokenExpiresAt: m.accessTokenExpiresAtMs,
  };
}

async function call(work: () => Promise<PrincipalMessage>): Promise<Principal> {
  try {
    return toPrincipal(await work());
  } catch (err) {
    const remote = fromGrpcError(err);
    if (remote.code === 'UNAUTHENTICATED' || remote.code === 'BAD_USER_INPUT') throw new CredentialRejected('invalid', remote.message);
    if (remote.code === 'RATE_LIMITED') throw new CredentialRejected('throttled', remote.message);
    throw err;
  }
}

/** ytm-resource's `Resource` gRPC service: it alone knows keys and password hashes. */
export function resourceCredentialVerifier(address: string, caller: CallerCredentials, deadlineMs: number): CredentialVerifier & { close(): void } {
  const client = createClient(ResourceClient, address, caller);
  return {
    authenticateApiKey: (secret) => call(() => unaryCall(client.authenticateApiKey.bind(client), { secret }, { deadlineMs })),
    verifyPassword: (email, password, clientAddress) =>
      call(() => unaryCall(client.verifyPassword.bind(client), { email, password, clientAddress: clientAddress ?? '' }, { deadlineMs })),
    close: () => client.close(),
  };
}
