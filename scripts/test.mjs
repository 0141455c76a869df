// npm test [unit|integration|e2e|web]: provisions FerretDB and Kafka like `npm start`, builds,
// then runs the jest tiers and the web player's tier (all by default): its unit tests (vitest),
// its bundle budget, and its browser tests (Playwright on Chromium against the whole system). Infrastructure it started is stopped at the end
// unless YTM_KEEP_INFRA=1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { down, ensureFfmpeg, up } from '../infra/infra.mjs';
import { ensureDeps } from './deps.mjs';
import { ROOT } from './system.mjs';
import { buildWeb } from './web.mjs';

// A fresh clone has no node_modules: install first (the README's two commands are the only set-up).
await ensureDeps();

const TIERS = ['unit', 'integration', 'e2e', 'web'];
const tiers = process.argv.slice(2).filter((a) => TIERS.includes(a));
const extra = process.argv.slice(2).filter((a) => !TIERS.includes(a));
const selected = tiers.length ? tiers : TIERS;
const t0 = Date.now();
const log = (m) => console.log(`[test] ${m} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);

const needsInfra = selected.some((t) => t !== 'unit');
const infra = needsInfra ? await up({ log: (m) => console.log(`[infra] ${m}`) }) : { startedNow: [] };
// ffmpeg for ytm-stream, ffprobe for the tests that check its output: the machine's, or unpacked from the npm registry (cached).
if (needsInfra) Object.assign(process.env, await ensureFfmpeg({ tools: ['ffmpeg', 'ffprobe'], log: (m) => console.log(`[infra] ${m}`) }));
log('building (tsc -b)');
const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, stdio: 'inherit' });
let status = build.status ?? 1;

const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
  ...(needsInfra ? { MONGODB_URL: infra.mongodbUrl, KAFKA_BROKERS: infra.kafkaBrokers } : {}),
};
const jest = join(ROOT, 'node_modules/jest/bin/jest.js');
const run = (projects, args) =>
  spawnSync(process.execPath, [jest, '--selectProjects', ...projects, ...args, ...extra], { cwd: ROOT, stdio: 'inherit', env }).status ?? 1;

if (status === 0) {
  const parallel = selected.filter((t) => t !== 'e2e' && t !== 'web');
  if (parallel.length) {
    log(`running ${parallel.join(' + ')} tests`);
    status = run(parallel, ['--maxWorkers=2', '--testTimeout=60000']);
  }
  if (selected.includes('e2e')) {
    log('running e2e tests (every process spawned)');
    const e2e = run(['e2e'], ['--runInBand', '--testTimeout=180000']);
    status = status || e2e;
  }
  if (selected.includes('web')) status = (await webTier()) || status;
}
if (infra.startedNow.length && process.env.YTM_KEEP_INFRA !== '1') await down({ only: infra.startedNow, log: (m) => console.log(`[infra] ${m}`) });
log(status === 0 ? 'all tests passed' : 'tests failed');
process.exit(status);

/** The web player: build, unit tests, the initial-JS budget, then the browser tests. */
async function webTier() {
  log('web: building the production bundle');
  if (!(await buildWeb({ log }))) return 1;
  const web = join(ROOT, 'web');
  const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
  const step = (what, cmd, args) => {
    log(`web: ${what}`);
    return spawnSync(bin(cmd), args, { cwd: web, stdio: 'inherit', env: { ...env, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' } }).status ?? 1;
  };
  return (
    step('unit tests (vitest)', 'vitest', ['run']) ||
    spawnSync(process.execPath, ['scripts/check-budget.mjs'], { cwd: web, stdio: 'inherit' }).status ||
    step('type-checking the browser tests', 'tsc', ['-p', 'tsconfig.e2e.json', '--noEmit']) ||
    step('browser tests (Playwright, Chromium, the whole system)', 'playwright', ['test'])
  );
}
