import { createLogger } from '@ytm/logger';
import { runSubgraph } from '@ytm/subgraph';
import { ServiceIdentity } from '@ytm/trust';
import { readConfig } from './config.js';
import { createStream, SDL } from './create-stream.js';
import { FfmpegUnusableError } from './transcode/ffmpeg.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-stream', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'stream', keyFile: config.SERVICE_KEY_FILE });
const stream = await createStream(config, logger, identity).catch((err: unknown) => {
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
  advertise: { host: config.ADVERTISE_HOST, url: config.ADVERTISE_URL },
  port: config.PORT,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  grpc: { server: stream.grpc, port: config.GRPC_PORT },
  credentials: identity,
  registryUrl: config.REGISTRY_URL,
  sdl: SDL,
  shutdown: stream.shutdown,
});
