import { handleShutdown } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { composeService } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-gateway', level: config.LOG_LEVEL });
const router = composeService(config, logger);
handleShutdown(logger, () => router.shutdown);
const { port, registryPort, opsPort } = await router.start();
logger.info({ url: `http://${config.HOST}:${port}/graphql`, registryPort, opsUrl: `http://${config.OPS_HOST}:${opsPort}` }, 'ytm-gateway ready');
