import { createLogger } from '@ytm/logger';
import { runSubgraph } from '@ytm/subgraph';
import { composeService } from './composition.js';
import { readConfig } from './config.js';
import { FfmpegUnusableError } from './transcode/ffmpeg.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-stream', level: config.LOG_LEVEL });
const service = await composeService(config, logger).catch((err: unknown) => {
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
  registryUrl: config.REGISTRY_URL,
});
