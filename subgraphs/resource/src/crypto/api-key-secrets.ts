import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeySecrets } from '../domain/ports.js';

/** 256 random bits, base64url, with a prefix that secret scanners can recognise. */
export const apiKeySecrets: ApiKeySecrets = {
  generate: () => `ytm_${randomBytes(32).toString('base64url')}`,
  digest: (secret) => createHash('sha256').update(secret).digest('hex'),
};
