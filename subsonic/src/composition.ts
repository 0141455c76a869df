import { createKafka, type RunningConsumer } from '@ytm/events';
import { createApp, type ServiceApp, type ShutdownStep } from '@ytm/http';
import type { Logger } from '@ytm/logger';
import type { CallerCredentials } from '@ytm/proto';
import { Authenticator } from './auth/authenticator.js';
import { CredentialCache } from './auth/credential-cache.js';
import { FailureThrottle } from './auth/failure-throttle.js';
import type { CredentialVerifier } from './auth/principal.js';
import { resourceCredentialVerifier } from './auth/resource.grpc-client.js';
import type { SubsonicConfig } from './config.js';
import { ENDPOINTS, EXTENSIONS } from './endpoints/index.js';
import { restRoutes } from './http/rest.routes.js';
import { startCredentialEventsConsumer } from './messaging/credential-events.consumer.js';
import type { Services } from './services.js';
import { ArtistIndex } from './ytm/artist-index.js';
import { CursorCache } from './ytm/cursor-cache.js';
import { GraphQLClient } from './ytm/graphql-client.js';
import { NowPlaying } from './ytm/now-playing.js';
import { PlaybackTickets } from './ytm/playback-tickets.js';
import { UserData } from './ytm/notes.js';
import { resourceUserData, type UserDataStore } from './ytm/user-data.grpc-client.js';

export const VERSION = '0.1.0';

/** While events may be missed (the consumer has not joined), credentials are trusted for at most this long. */
const UNSYNCED_TTL_MS = 1_000;

/** Replacements for tests; production passes none. */
export interface SubsonicOverrides {
  verifier?: CredentialVerifier & { close(): void };
  userData?: UserDataStore;
}

/** What the composition root builds: nothing listens or runs until main.ts (or a test) asks. */
export interface ComposedSubsonic {
  name: 'subsonic';
  app: ServiceApp;
  services: Services;
  cache: CredentialCache;
  /** Starts the background work (the events consumer). */
  start(): Promise<void>;
  /** True once the events consumer joined its group (readiness; tests wait for it). */
  consumerJoined(): boolean;
  shutdown: ShutdownStep[];
}

/**
 * The composition root of ytm-subsonic: builds it from its configuration (resource's gRPC client,
 * the credential cache, the HTTP app with `/rest/*`); starts nothing. It verifies no access token
 * itself (resource checks API keys and passwords and hands back a token subsonic only forwards), so
 * it has no `@ytm/auth` authenticator. main.ts listens, registers and calls `start()`.
 */
export function composeService(config: SubsonicConfig, logger: Logger, identity: CallerCredentials, overrides: SubsonicOverrides = {}): ComposedSubsonic {
  const verifier = overrides.verifier ?? resourceCredentialVerifier(config.RESOURCE_GRPC_URL, identity, config.RESOURCE_DEADLINE_MS);
  const userData = new UserData(overrides.userData ?? resourceUserData(config.RESOURCE_GRPC_URL, identity, config.RESOURCE_DEADLINE_MS));
  const cache = new CredentialCache();
  // Library changes arrive as events (invalidate at once); the age limit only catches missed ones.
  const artistIndex = new ArtistIndex(10 * 60_000);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ytm-subsonic', logger });
  let consumer: RunningConsumer | undefined;
  const synced = () => consumer?.joined === true;
  const auth = new Authenticator({
    verifier,
    cache,
    throttle: new FailureThrottle(config.AUTH_FAILURES_PER_ADDRESS, config.AUTH_FAILURE_WINDOW_MINUTES * 60_000),
    apiKeyTtlMs: () => (synced() ? config.API_KEY_CACHE_SECONDS * 1_000 : Math.min(UNSYNCED_TTL_MS, config.API_KEY_CACHE_SECONDS * 1_000)),
    passwordTtlMs: () => (synced() ? config.PASSWORD_CACHE_MINUTES * 60_000 : Math.min(UNSYNCED_TTL_MS, config.PASSWORD_CACHE_MINUTES * 60_000)),
    helpUrl: config.HELP_URL,
  });
  const services: Services = {
    serverVersion: VERSION,
    routerUrl: config.ROUTER_URL,
    graphql: new GraphQLClient(new URL('/graphql', config.ROUTER_URL).toString(), config.GRAPHQL_TIMEOUT_MS),
    auth,
    cursors: new CursorCache(),
    artistIndex,
    nowPlaying: new NowPlaying(),
    tickets: new PlaybackTickets(),
    userData,
    extensions: EXTENSIONS,
  };
  const app = createApp({
    logger,
    readiness: {
      kafkaConsumer: async () => {
        if (!synced()) throw new Error('not joined yet');
      },
      router: async () => {
        const r = await fetch(new URL('/health', config.ROUTER_URL), { signal: AbortSignal.timeout(1_000) });
        if (!r.ok) throw new Error(`router answered ${r.status}`);
      },
    },
    health: () => ({ credentialsCached: cache.size }),
  });
  app.use(restRoutes({ endpoints: ENDPOINTS, services, bodyLimit: config.BODY_LIMIT_BYTES }));
  return {
    name: 'subsonic',
    app,
    services,
    cache,
    start: async () => {
      consumer ??= startCredentialEventsConsumer({ kafka, cache, logger, onLibraryChange: () => artistIndex.invalidate() });
    },
    consumerJoined: synced,
    shutdown: [
      ['consumer', async () => consumer?.stop()],
      ['resource-client', async () => verifier.close()],
      ['resource-user-data', async () => userData.close()],
    ],
  };
}
