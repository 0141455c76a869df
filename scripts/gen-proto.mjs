#!/usr/bin/env node
// Generates TypeScript for every contract under proto/ into packages/proto/src/gen
// (ts-proto through buf, both from the workspace's node_modules, no global installs).
//
//   node scripts/gen-proto.mjs           lint the protos and regenerate in place
//   node scripts/gen-proto.mjs --check   regenerate into a temp dir and exit 1, listing
//                                        the files, when the committed code is stale
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buf = join(root, 'node_modules', '.bin', 'buf');
const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');
const template = 'proto/buf.gen.yaml';
const genDir = 'packages/proto/src/gen';
const check = process.argv.includes('--check');

for (const bin of [buf, plugin]) {
  if (!existsSync(bin)) fail(`missing ${relative(root, bin)}: run npm install at the repository root`);
}

run(['lint', 'proto']);

if (!check) {
  run(['generate', 'proto', '--template', template]);
  console.log(`gen-proto: wrote ${genDir}`);
  process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), 'ytm-gen-proto-'));
try {
  // buf.gen.yaml's `out` is relative to --output, so the fresh copy lands at <tmp>/<genDir>.
  run(['generate', 'proto', '--template', template, '--output', tmp]);
  const stale = compare(join(tmp, genDir), join(root, genDir));
  if (stale.length > 0) {
    console.error(`gen-proto: ${genDir} is stale (run npm run gen:proto and commit):`);
    for (const line of stale) console.error(`  ${line}`);
    // exitCode rather than exit() so the finally block still removes the temp dir.
    process.exitCode = 1;
  } else {
    console.log(`gen-proto: ${genDir} is up to date`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function run(args) {
  const result = spawnSync(buf, args, { cwd: root, stdio: 'inherit' });
  if (result.error) fail(`buf ${args[0]}: ${result.error.message}`);
  if (result.status !== 0) fail(`buf ${args.join(' ')} exited with ${result.status}`);
}

function compare(freshDir, committedDir) {
  const fresh = listFiles(freshDir);
  const committed = listFiles(committedDir);
  const stale = [];
  for (const file of fresh) {
    const path = join(genDir, file);
    if (!committed.has(file)) stale.push(`missing  ${path}`);
    else if (!readFileSync(join(freshDir, file)).equals(readFileSync(join(committedDir, file)))) {
      stale.push(`changed  ${path}`);
    }
  }
  for (const file of committed) if (!fresh.has(file)) stale.push(`extra    ${join(genDir, file)}`);
  return stale.sort((a, b) => a.slice(9).localeCompare(b.slice(9)));
}

function listFiles(dir) {
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name))),
  );
}

function fail(message) {
  console.error(`gen-proto: ${message}`);
  process.exit(1);
}
