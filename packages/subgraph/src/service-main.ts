import { createLogger, type Logger } from '@ytm/logger';
import { ServiceIdentity, type ServiceIdentityName } from '@ytm/trust';
import { runService, type ComposedService, type RunningService } from './run.js';

/** The settings every service reads the same way (see each service's `config.ts`). */
export interface ServiceRuntimeConfig {
  LOG_LEVEL: string;
  HOST: string;
  PORT: number;
  GRPC_PORT?: number;
  OPS_HOST: string;
  OPS_PORT: number;
  ADVERTISE_HOST?: string | undefined;
  ADVERTISE_URL?: string | undefined;
  TRUST_DIR: string;
  SERVICE_KEY_FILE?: string | undefined;
  REGISTRY_URL: string;
}

export interface ServiceMainOptions<C extends ServiceRuntimeConfig> {
  name: ServiceIdentityName;
  version: string;
  config: C;
  /** The service's composition root. */
  compose: (config: C, logger: Logger, identity: ServiceIdentity) => ComposedService | Promise<ComposedService>;
}

/**
 * Every service's `main.ts`: its logger (`ytm-<name>`), its identity from the trust directory, its
 * composition root, then `runService`.
 */
export async function serviceMain<C extends ServiceRuntimeConfig>({ name, version, config, compose }: ServiceMainOptions<C>): Promise<RunningService> {
  const logger = createLogger({ name: `ytm-${name}`, level: config.LOG_LEVEL });
  const identity = ServiceIdentity.load({ dir: config.TRUST_DIR, name, ...(config.SERVICE_KEY_FILE ? { keyFile: config.SERVICE_KEY_FILE } : {}) });
  const service = await compose(config, logger, identity);
  return runService(service, {
    logger,
    version,
    host: config.HOST,
    port: config.PORT,
    ...(config.GRPC_PORT === undefined ? {} : { grpcPort: config.GRPC_PORT }),
    ops: { host: config.OPS_HOST, port: config.OPS_PORT },
    advertise: { host: config.ADVERTISE_HOST, url: config.ADVERTISE_URL },
    credentials: identity,
    registryUrl: config.REGISTRY_URL,
  });
}
