import { createLogger } from '@ytm/logger';
import { SERVICE_NAMES } from '@ytm/proto';
import { runSubgraph } from '@ytm/subgraph';
import { readConfig } from './config.js';
import { createStream, SDL } from './create-stream.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-stream', level: config.LOG_LEVEL });
const stream = await createStream(config, logger);

await runSubgraph({
  name: 'stream',
  version: '0.1.0',
  logger,
  app: stream.app,
  routes: stream.routes,
  host: config.HOST,
  port: config.PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  grpc: { server: stream.grpc, port: config.GRPC_PORT, serviceName: SERVICE_NAMES.stream },
  registryUrl: config.REGISTRY_URL,
  sdl: SDL,
  shutdown: stream.shutdown,
});
