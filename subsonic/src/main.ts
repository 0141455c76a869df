import { serviceMain } from '@ytm/subgraph';
import { composeService, VERSION } from './composition.js';
import { readConfig } from './config.js';

// Registered like the subgraphs, with no GraphQL endpoint or SDL: the router relays /rest/* here.
await serviceMain({ name: 'subsonic', version: VERSION, config: readConfig(), compose: composeService });
