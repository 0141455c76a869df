// npm test [unit|integration|e2e]: provisions FerretDB and Kafka like `npm start`, builds,
// then runs the jest tiers (all by default). Infrastructure it started is stopped at the end
// unless YTM_KEEP_INFRA=1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { down, ensureFfmpeg, up } from '../infra/infra.mjs';
import { ensureDeps } from './deps.mjs';
import { ROOT } from './system.mjs';

// A fresh clone has no node_modules: install first (the README's two commands are the only set-up).
await ensureDeps();

const tiers = process.argv.slice(2).filter((a) => ['unit', 'integration', 'e2e'].includes(a));
const extra = process.argv.slice(2).filter((a) => !['unit', 'integration', 'e2e'].includes(a));
const selected = tiers.length ? tiers : ['unit', 'integration', 'e2e'];
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
  const parallel = selected.filter((t) => t !== 'e2e');
  if (parallel.length) {
    log(`running ${parallel.join(' + ')} tests`);
    status = run(parallel, ['--maxWorkers=2', '--testTimeout=60000']);
  }
  if (selected.includes('e2e')) {
    log('running e2e tests (every process spawned)');
    const e2e = run(['e2e'], ['--runInBand', '--testTimeout=180000']);
    status = status || e2e;
  }
}
if (infra.startedNow.length && process.env.YTM_KEEP_INFRA !== '1') await down({ only: infra.startedNow, log: (m) => console.log(`[infra] ${m}`) });
log(status === 0 ? 'all tests passed' : 'tests failed');
process.exit(status);
