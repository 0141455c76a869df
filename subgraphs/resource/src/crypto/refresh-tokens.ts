import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokens } from '../domain/ports.js';

/** Opaque 256-bit refresh tokens, stored only as SHA-256. */
export const refreshTokens: RefreshTokens = {
  generate: () => `rt_${randomBytes(32).toString('base64url')}`,
  hash: (token) => createHash('sha256').update(token).digest('hex'),
};
