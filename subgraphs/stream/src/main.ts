import { createLogger } from '@ytm/logger';
import { SERVICE_NAMES } from '@ytm/proto';
import { runSubgraph } from '@ytm/subgraph';
import { readConfig } from './config.js';
import { createStream, SDL } from './create-stream.js';
import { FfmpegUnusableError } from './transcode/ffmpeg.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-stream', level: config.LOG_LEVEL });
const stream = await createStream(config, logger).catch((err: unknown) => {
  if (!(err instanceof FfmpegUnusableError)) throw err;
  // One clear line, no stack: what is wrong with ffmpeg and how to fix it.
  logger.fatal(`ytm-stream cannot start: ${err.message}`);
  process.exit(1);
});

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
