import { randomUUID } from 'node:crypto';
import { closeServer, handleShutdown, listen, listenOps } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { startRegistration } from '@ytm/registry';
import { advertisedBaseUrl } from '@ytm/subgraph';
import { ServiceIdentity } from '@ytm/trust';
import { composeService, VERSION } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-subsonic', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'subsonic', keyFile: config.SERVICE_KEY_FILE });
const subsonic = composeService(config, logger, identity);

const { server, port } = await listen(subsonic.app.callback(), config.HOST, config.PORT);
const ops = await listenOps(subsonic.app.ops, { host: config.OPS_HOST, port: config.OPS_PORT });
const httpUrl = advertisedBaseUrl({ host: config.HOST, port, advertiseHost: config.ADVERTISE_HOST, advertiseUrl: config.ADVERTISE_URL });
// Registered like the subgraphs, but with no GraphQL endpoint or SDL: the router relays /rest/* here.
const instanceId = `subsonic-${randomUUID()}`;
const registrations = config.REGISTRY_URL.split(',')
  .map((url) => url.trim())
  .filter(Boolean)
  .map((registryUrl) =>
    startRegistration({
      registryUrl,
      name: 'subsonic',
      credentials: identity,
      instanceId,
      graphqlUrl: '',
      httpUrl,
      sdl: '',
      version: VERSION,
      logger: logger.child({ component: 'registry-client', registryUrl }),
    }),
  );
handleShutdown(logger, () => [
  ['registration', () => Promise.all(registrations.map((r) => r.stop()))],
  ['http', () => closeServer(server, 8_000)],
  ['ops', () => closeServer(ops.server, 1_000)],
  ...subsonic.shutdown,
]);
await subsonic.start();
logger.info({ port, url: `${httpUrl}/rest/ping`, opsUrl: `http://${config.OPS_HOST}:${ops.port}` }, 'subsonic listening');
