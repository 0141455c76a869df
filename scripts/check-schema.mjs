// npm run check:schema: fails when composition fails, when the committed supergraph.graphql is
// stale, or when the API schema breaks clients compared with SCHEMA_BASE_REF (default HEAD~1)
// and the break is not acknowledged in schema-breaking-changes.acknowledged (one description a line).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { apiSchemaOf, composeFromConfig, root, supergraphPath } from './supergraph-lib.mjs';

let failed = false;
const fail = (msg) => {
  console.error(`✗ ${msg}`);
  failed = true;
};

const result = composeFromConfig();
if (result.errors) {
  fail(`composition failed:\n  - ${result.errors.join('\n  - ')}`);
  process.exit(1);
}
console.log('✓ subgraphs compose');

const committed = existsSync(supergraphPath) ? readFileSync(supergraphPath, 'utf8') : '';
if (committed !== result.supergraphSdl) fail('supergraph.graphql is stale: run `npm run compose` and commit it');
else console.log('✓ supergraph.graphql is up to date');

// The public contract (../shared/design/api.graphql): the served API may extend it, never break it.
const contractPath = process.env.API_CONTRACT ?? resolve(root, '..', 'shared', 'design', 'api.graphql');
if (existsSync(contractPath)) {
  const broken = findBreakingChanges(buildSchema(readFileSync(contractPath, 'utf8')), apiSchemaOf(result.supergraphSdl));
  if (broken.length > 0) fail(`the API breaks the contract ${contractPath}:\n  - ${broken.map((c) => `${c.type}: ${c.description}`).join('\n  - ')}`);
  else console.log('✓ the API schema implements the contract (api.graphql) without breaking it');
} else console.log(`• no contract at ${contractPath}; skipped`);

const baseRef = process.env.SCHEMA_BASE_REF ?? 'HEAD~1';
let base;
try {
  base = execFileSync('git', ['show', `${baseRef}:supergraph.graphql`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch {
  console.log(`• no supergraph.graphql at ${baseRef}; nothing to compare against`);
}
if (base !== undefined) {
  const ackPath = resolve(root, 'schema-breaking-changes.acknowledged');
  const acknowledged = new Set(
    existsSync(ackPath)
      ? readFileSync(ackPath, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [],
  );
  const changes = findBreakingChanges(apiSchemaOf(base), apiSchemaOf(result.supergraphSdl));
  const unacknowledged = changes.filter((c) => !acknowledged.has(c.description));
  for (const c of changes.filter((c) => acknowledged.has(c.description))) console.log(`• acknowledged breaking change: ${c.description}`);
  if (unacknowledged.length > 0) {
    fail(
      `breaking API changes against ${baseRef} (acknowledge deliberately in schema-breaking-changes.acknowledged):\n  - ${unacknowledged.map((c) => `${c.type}: ${c.description}`).join('\n  - ')}`,
    );
  } else console.log(`✓ no unacknowledged breaking changes against ${baseRef}`);
}
process.exit(failed ? 1 : 0);
