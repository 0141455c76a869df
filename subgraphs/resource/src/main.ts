import { createLogger } from '@ytm/logger';
import { runSubgraph } from '@ytm/subgraph';
import { composeService } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-resource', level: config.LOG_LEVEL });
const service = await composeService(config, logger);
await runSubgraph(service, {
  logger,
  version: '0.1.0',
  host: config.HOST,
  port: config.PORT,
  grpcPort: config.GRPC_PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  registryUrl: config.REGISTRY_URL,
});
