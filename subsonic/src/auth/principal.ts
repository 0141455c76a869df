/** Who a request acts as: the YTM user, and the access token subsonic calls the GraphQL API with. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  role: 'USER' | 'ADMIN';
  planTier: 'FREE' | 'PREMIUM';
  /** Set when the request authenticated with an API key. */
  apiKeyId: string | null;
  accessToken: string;
  accessTokenExpiresAt: number;
}

/** How a credential is checked against ytm-resource; rejects with a CredentialRejected. */
export interface CredentialVerifier {
  authenticateApiKey(secret: string): Promise<Principal>;
  verifyPassword(email: string, password: string, clientAddress: string | undefined): Promise<Principal>;
}

/** resource said no: wrong credentials, or throttled (`retryAfterSeconds`). */
export class CredentialRejected extends Error {
  constructor(
    readonly reason: 'invalid' | 'throttled',
    message: string,
  ) {
    super(message);
  }
}
