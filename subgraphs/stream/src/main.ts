import { createLogger } from '@ytm/logger';
import { runSubgraph } from '@ytm/subgraph';
import { ServiceIdentity } from '@ytm/trust';
import { composeService } from './composition.js';
import { readConfig } from './config.js';
import { FfmpegUnusableError } from './transcode/ffmpeg.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-stream', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'stream', keyFile: config.SERVICE_KEY_FILE });
const service = await composeService(config, logger, identity).catch((err: unknown) => {
  if (!(err instanceof FfmpegUnusableError)) throw err;
  // One clear line, no stack: what is wrong with ffmpeg and how to fix it.
  logger.fatal(`ytm-stream cannot start: ${err.message}`);
  process.exit(1);
});
await runSubgraph(service, {
  logger,
  version: '0.1.0',
  host: config.HOST,
  port: config.PORT,
  grpcPort: config.GRPC_PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  advertise: { host: config.ADVERTISE_HOST, url: config.ADVERTISE_URL },
  credentials: identity,
  registryUrl: config.REGISTRY_URL,
});
