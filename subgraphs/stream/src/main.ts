import { serviceMain } from '@ytm/subgraph';
import { composeService } from './composition.js';
import { readConfig } from './config.js';
import { FfmpegUnusableError } from './transcode/ffmpeg.js';

await serviceMain({
  name: 'stream',
  version: '0.1.0',
  config: readConfig(),
  compose: (config, logger, identity) =>
    composeService(config, logger, identity).catch((err: unknown) => {
      if (!(err instanceof FfmpegUnusableError)) throw err;
      // One clear line, no stack: what is wrong with ffmpeg and how to fix it.
      logger.fatal(`ytm-stream cannot start: ${err.message}`);
      process.exit(1);
    }),
});
