#!/usr/bin/env node
// Generated GraphQL artefacts, each derived from the schema that owns the definition:
//  - router/events.graphql: the library's ScanState and ScanStatus, copied between markers from
//    subgraphs/library/schema.graphql (federation needs them declared in the router's events
//    subgraph too, where they are the scanProgress payload).
//
//   node scripts/gen-graphql.mjs           regenerate in place
//   node scripts/gen-graphql.mjs --check   exit 1, naming the files, when the committed ones are stale
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale = [];

/** Writes `content` to `file` (relative to the root), or notes it as stale in --check mode. */
function emit(file, content) {
  const path = join(root, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === content) return;
  if (check) return void stale.push(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

// Shared SDL copied from the owning schema: [target, source, names].
const COPIES = [['router/events.graphql', 'subgraphs/library/schema.graphql', ['ScanState', 'ScanStatus']]];
for (const [target, source, names] of COPIES) {
  const sdl = readFileSync(join(root, source), 'utf8');
  const blocks = names.map((name) => {
    // A top-level definition, from its keyword to its closing brace (field descriptions kept, the type's own left out).
    const match = new RegExp(`^(?:type|enum|input|interface) ${name}\\b[^{]*\\{[^}]*\\}`, 'm').exec(sdl);
    if (!match) fail(`${source} defines no ${name}`);
    return match[0];
  });
  const begin = `# ---- generated from ${source} (${names.join(', ')}) by scripts/gen-graphql.mjs: edit the source, then npm run gen:graphql ----`;
  const end = '# ---- end of generated ----';
  const current = readFileSync(join(root, target), 'utf8');
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  if (from < 0 || to < from) fail(`${target} has no generated section (the marker lines "${begin}" and "${end}")`);
  emit(target, `${current.slice(0, from)}${begin}\n\n${blocks.join('\n\n')}\n\n${current.slice(to)}`);
}

if (check && stale.length > 0) {
  console.error(`gen-graphql: stale (run npm run gen:graphql and commit):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(check ? 'gen-graphql: up to date' : 'gen-graphql: written');

function fail(message) {
  console.error(`gen-graphql: ${message}`);
  process.exit(1);
}
