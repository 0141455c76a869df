import { createLogger } from '@ytm/logger';
import { SERVICE_NAMES } from '@ytm/proto';
import { runSubgraph } from '@ytm/subgraph';
import { composeResource, SDL } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-resource', level: config.LOG_LEVEL });
const resource = await composeResource(config, logger);
resource.start();

await runSubgraph({
  name: 'resource',
  version: '0.1.0',
  logger,
  app: resource.app,
  host: config.HOST,
  port: config.PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  grpc: { server: resource.grpc, port: config.GRPC_PORT, serviceName: SERVICE_NAMES.resource },
  registryUrl: config.REGISTRY_URL,
  sdl: SDL,
  shutdown: resource.shutdown,
});
