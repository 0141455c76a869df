import { handleShutdown } from '@ytm/http';
import { createLogger } from '@ytm/logger';
import { ServiceIdentity } from '@ytm/trust';
import { composeService } from './composition.js';
import { readConfig } from './config.js';

const config = readConfig();
const logger = createLogger({ name: 'ytm-gateway', level: config.LOG_LEVEL });
const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name: 'router', keyFile: config.SERVICE_KEY_FILE });
const router = composeService(config, logger, identity);
handleShutdown(logger, () => router.shutdown);
const { port, registryPort, opsPort } = await router.start();
logger.info({ url: `http://${config.HOST}:${port}/graphql`, registryPort, opsUrl: `http://${config.OPS_HOST}:${opsPort}` }, 'ytm-gateway ready');
