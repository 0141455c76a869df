import { serviceMain } from '@ytm/subgraph';
import { composeService } from './composition.js';
import { readConfig } from './config.js';

await serviceMain({ name: 'library', version: '0.1.0', config: readConfig(), compose: composeService });
