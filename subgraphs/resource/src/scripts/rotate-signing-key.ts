// Rotates the access-token signing key: `npm run -w ytm-resource keys:rotate [-- --now]`.
// The new key is published in the JWKS at once and signs after SIGNING_KEY_ACTIVATION_DELAY_SECONDS
// (or at once with --now, for a single replica and no other verifiers); the old key keeps
// verifying until the tokens it signed expired. See README, "Signing-key rotation".
import { createLogger } from '@ytm/logger';
import { connectStore } from '@ytm/mongo';
import { readConfig } from '../config.js';
import { KeyRing } from '../crypto/key-ring.js';
import { signingKeyModel } from '../persistence/signing-key.model.js';
import { MongoSigningKeyRepository } from '../persistence/signing-key.repository.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-resource-keys', level: config.LOG_LEVEL === 'info' ? 'error' : config.LOG_LEVEL });
const now = process.argv.includes('--now');
const conn = await connectStore(config, logger);
try {
  const keys = new MongoSigningKeyRepository(signingKeyModel(conn));
  const accessTokenTtlSec = config.ACCESS_TOKEN_TTL_MINUTES * 60;
  const ring = new KeyRing({ keys, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, accessTokenTtlSec });
  await ring.init();
  const previous = await ring.activeKid();
  const { kid, activatesAt } = await ring.rotate(now ? 0 : config.SIGNING_KEY_ACTIVATION_DELAY_SECONDS * 1000);
  // Keys retired more than a day past their last token's expiry are of no use to anyone.
  const pruned = await keys.deleteRetiredBefore(new Date(Date.now() - (accessTokenTtlSec + 86_400) * 1000));
  const { keys: published } = await ring.jwks();
  process.stdout.write(
    `new signing key ${kid} is published and signs from ${activatesAt.toISOString()}\n` +
      `previous key ${previous ?? '(none)'} retires then and stays published for ${config.ACCESS_TOKEN_TTL_MINUTES} more minutes\n` +
      `JWKS now lists: ${published.map((k) => k.kid).join(', ')}${pruned > 0 ? ` (deleted ${pruned} long-retired keys)` : ''}\n`,
  );
} finally {
  await conn.close();
}
