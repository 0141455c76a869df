import { createLogger } from '@ytm/logger';
import { runSubgraph } from '@ytm/subgraph';
import { ServiceIdentity } from '@ytm/trust';
import { composeResource, SDL } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-resource', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'resource', keyFile: config.SERVICE_KEY_FILE });
const resource = await composeResource(config, logger, identity);
resource.start();

await runSubgraph({
  name: 'resource',
  version: '0.1.0',
  logger,
  app: resource.app,
  host: config.HOST,
  advertise: { host: config.ADVERTISE_HOST, url: config.ADVERTISE_URL },
  port: config.PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  grpc: { server: resource.grpc, port: config.GRPC_PORT },
  credentials: identity,
  registryUrl: config.REGISTRY_URL,
  sdl: SDL,
  shutdown: resource.shutdown,
});
