// npm run compose: writes supergraph.graphql from supergraph.yaml with @apollo/composition.
import { writeFileSync } from 'node:fs';
import { composeFromConfig, supergraphPath } from './supergraph-lib.mjs';

const result = composeFromConfig();
if (result.errors) {
  console.error(`composition failed:\n  - ${result.errors.join('\n  - ')}`);
  process.exit(1);
}
writeFileSync(supergraphPath, result.supergraphSdl);
console.log(`wrote ${supergraphPath} (${result.supergraphSdl.length} bytes, ${result.hints.length} composition hints)`);
