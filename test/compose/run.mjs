// npm run test:compose [-- --edge | --single | --scale]: builds the images, then runs the jest
// scenarios of this folder one after the other on the same images: `edge` (edge-dns.test.ts: the
// edge's image and deploy/haproxy.cfg against aardvark-dns servers of its own, no compose stack),
// then `single` and `scale`, each starting docker-compose.yml with podman-compose and
// compose.test.yml (the only difference from production: MongoDB, Kafka and the edge's HAProxy
// swapped for images built here, the Debian base for the YTM images), waiting for health and for the
// edge to have every router UP, and testing through the edge's port published on 127.0.0.1:
// `single` (production-stack.test.ts), `scale` (compose.scale.yml on top too: two of every YTM
// service; scale.test.ts). Flags run only the scenarios named. Everything the run created
// (containers, volumes, network, image tags) is removed at the end, failed or not.
// Cached between runs under YTM_CACHE/compose: the debootstrap root file system, the jlink'd Java
// runtime, and the image store with its build layers.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDeps } from '../../scripts/deps.mjs';

// On a fresh clone node_modules is installed first: the modules below import npm packages.
await ensureDeps();
const { ROOT, freePort } = await import('../../scripts/system.mjs');
const { BASE_IMAGE, EDGE_IMAGE, FERRETDB_IMAGE, KAFKA_IMAGE, ensureBaseImage, ensureInfraImages, imageSizes } = await import('./lib/images.mjs');
const { CACHE, dnsServerState, hasCommand, podman, podmanEnv, removeProject, run } = await import('./lib/podman.mjs');
const { Stack } = await import('./lib/stack.mjs');

const t0 = Date.now();
const log = (m) => console.log(`[compose] ${m} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
const FILES = ['docker-compose.yml', 'test/compose/compose.test.yml'];
const SERVICES = ['router', 'library', 'resource', 'stream', 'subsonic'];
const SCENARIOS = {
  // No compose stack: the edge's image and deploy/haproxy.cfg against aardvark-dns servers of its own.
  edge: { test: 'test/compose/edge-dns.test.ts' },
  single: { files: FILES, test: 'test/compose/production-stack.test.ts' },
  scale: { files: [...FILES, 'compose.scale.yml'], test: 'test/compose/scale.test.ts' },
};
const argv = process.argv.slice(2);
const flags = Object.keys(SCENARIOS).map((s) => `--${s}`);
const chosen = Object.keys(SCENARIOS).filter((s) => argv.includes(`--${s}`));
if (!chosen.length) chosen.push(...Object.keys(SCENARIOS));
const jestArgs = argv.filter((a) => !flags.includes(a));

for (const cmd of ['podman', 'podman-compose']) {
  if (!hasCommand(cmd)) {
    console.error(`[compose] ${cmd} not found: apt-get install -y podman podman-compose runc debootstrap`);
    process.exit(1);
  }
}
const override = readFileSync(join(ROOT, FILES[1]), 'utf8');
for (const image of [BASE_IMAGE, FERRETDB_IMAGE, KAFKA_IMAGE, EDGE_IMAGE]) {
  if (!override.includes(image)) throw new Error(`${FILES[1]} must name ${image}, the image this run builds`);
}

const env = podmanEnv();
mkdirSync(CACHE, { recursive: true });
const project = `ytmtest${process.pid}`;
const version = `test-${process.pid}`;
await removeStaleProjects();

const musics = [];
const httpPort = await freePort();
const admin = { email: 'admin@compose.test', password: `admin-${process.pid}-password` };
// The machine's extra CA file (a TLS-inspecting proxy), mounted into the builds for npm's downloads.
const ca = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS) ? process.env.NODE_EXTRA_CA_CERTS : undefined;
const composeEnv = {
  ...env,
  YTM_VERSION: version,
  YTM_HTTP_ADDRESS: '127.0.0.1',
  YTM_HTTP_PORT: String(httpPort),
  YTM_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
  ADMIN_EMAIL: admin.email,
  ADMIN_PASSWORD: admin.password,
  YTM_BUILD_CA_FILE: ca ? '/run/ytm-build-ca.pem' : '',
};
// Builds with the production file and the override (the scale file changes no image).
const stack = new Stack({ env: { ...composeEnv, MUSIC_DIR: tmpdir() }, project, files: FILES, cwd: ROOT, log });

let status = 1;
const cleanup = async () => {
  log('tearing down');
  await removeProject(env, project, log);
  // The scenario `single` tags the images again for its upgrade (`${version}-next`).
  for (const s of SERVICES) await run('podman', ['rmi', `ytm-${s}:${version}-next`, `ytm-${s}:${version}`], { env, capture: true, allowFail: true });
  for (const m of musics) rmSync(m, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  // In parallel where the steps are independent: the base image (debootstrap on a cold cache) and
  // meanwhile the stand-ins' inputs (infra's binaries, jlink); then the stand-ins and the service
  // images on that base; the host's tsc -b (the test tree) all along.
  const base = ensureBaseImage(env, log);
  const steps = await Promise.allSettled([
    base,
    ensureInfraImages(env, log, base),
    base.then(() => buildServices()),
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, capture: true }).then(() => log('test tree built (tsc -b)')),
  ]);
  const failed = steps.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const sizes = await imageSizes(env, [BASE_IMAGE, ...SERVICES.map((s) => `localhost/ytm-${s}:${version}`), FERRETDB_IMAGE, KAFKA_IMAGE, EDGE_IMAGE]);
  log(`image sizes: ${sizes.map((s) => `${s.image.replace(`:${version}`, '')} ${s.mb} MB`).join(', ')}`);

  status = 0;
  for (const name of chosen) {
    status = await scenario(name);
    if (status !== 0) break;
  }
} catch (err) {
  console.error(`[compose] ${err.stack ?? err}`);
  status = 1;
} finally {
  await cleanup();
}
log(status === 0 ? 'compose test passed' : 'compose test failed');
process.exit(status);

/**
 * One scenario: its own music folder and a fresh project (same name: one run, one project at a time),
 * started and checked healthy, its jest file run against it, then removed (logs printed on failure).
 */
async function scenario(name) {
  const { files, test } = SCENARIOS[name];
  if (!files) {
    const t = Date.now();
    log(`scenario ${name}: running ${test}`);
    const code = await jest(test, composeEnv, { YTM_COMPOSE_PROJECT: project });
    log(`scenario ${name}: ${code === 0 ? 'passed' : 'failed'} (${((Date.now() - t) / 1000).toFixed(0)}s)`);
    return code;
  }
  const music = mkdtempSync(join(tmpdir(), 'ytm-compose-music-'));
  musics.push(music);
  chmodSync(music, 0o755); // the services run as uid 1000 and read it through a read-only bind mount
  // A failed scenario's full container logs (and those of containers it replaced) are kept here.
  const logDir = join(ROOT, '.ytm', 'logs', `compose-${name}`);
  rmSync(logDir, { recursive: true, force: true });
  const scenarioEnv = { ...composeEnv, MUSIC_DIR: music, YTM_COMPOSE_LOG_DIR: logDir };
  const s = new Stack({ env: scenarioEnv, project, files, cwd: ROOT, log });
  let code = 1;
  const t = Date.now();
  // podman's DNS server is one process for the machine; when it exits no compose name resolves.
  let dns = dnsServerState();
  const dnsWatch = setInterval(() => {
    const now = dnsServerState();
    if (now !== dns) log(`DNS server changed: ${now} (was: ${dns})`);
    dns = now;
  }, 250);
  try {
    log(`scenario ${name}: starting project ${project} (${files.join(' + ')}), the edge on 127.0.0.1:${httpPort}`);
    await s.up();
    // The edge is healthy with one router UP; the tests spread requests over all of them.
    await s.waitEdgeRouters();
    log(`scenario ${name}: stack healthy (${((Date.now() - t) / 1000).toFixed(0)}s); running ${test}`);
    code = await jest(test, scenarioEnv, {
      YTM_COMPOSE_URL: `http://127.0.0.1:${httpPort}`,
      YTM_COMPOSE_PROJECT: project,
      YTM_COMPOSE_FILES: files.join(','),
      YTM_COMPOSE_MUSIC: music,
      YTM_COMPOSE_ADMIN: JSON.stringify(admin),
    });
  } catch (err) {
    console.error(`[compose] ${err.stack ?? err}`);
    code = 1;
  }
  clearInterval(dnsWatch);
  if (code !== 0) {
    for (const c of await s.containers().catch(() => [])) console.error(await s.logs(c.name, 40));
    const saved = await s.saveLogs(logDir).catch((err) => [`(not saved: ${err.message})`]);
    console.error(`[compose] full logs: ${logDir} (${saved.length} files)`);
    const edge = await s.edgeRouters().catch((err) => err.message);
    console.error(`[compose] the edge's routers: ${JSON.stringify(edge)}; ${dnsServerState()}`);
  }
  await removeProject(env, project, log);
  log(`scenario ${name}: ${code === 0 ? 'passed' : 'failed'} (${((Date.now() - t) / 1000).toFixed(0)}s)`);
  return code;
}

/** The YTM images, as `podman-compose build` makes them from docker-compose.yml and the override. */
async function buildServices() {
  log('building the service images (podman-compose build)');
  const t = Date.now();
  const buildArgs = ca ? ['--podman-build-args', `--volume ${ca}:/run/ytm-build-ca.pem:ro`] : [];
  const beat = setInterval(() => log('  ... still building the service images'), 30_000);
  const build = await stack.compose([...buildArgs, 'build']).finally(() => clearInterval(beat));
  mkdirSync(join(ROOT, '.ytm', 'logs'), { recursive: true });
  writeFileSync(join(ROOT, '.ytm', 'logs', 'compose-build.log'), build.out + build.err);
  // podman-compose 1.0.3 does not report a failed build: check that every image is there.
  for (const s of SERVICES) {
    const { code } = await run('podman', ['image', 'exists', `localhost/ytm-${s}:${version}`], { env, capture: true, allowFail: true });
    if (code !== 0) throw new Error(`the ${s} image was not built:\n${(build.out + build.err).slice(-4000)}\n(full log: .ytm/logs/compose-build.log)`);
  }
  log(`service images built (${((Date.now() - t) / 1000).toFixed(0)}s; log: .ytm/logs/compose-build.log)`);
}

function jest(test, scenarioEnv, extraEnv) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/jest/bin/jest.js'), test, '--selectProjects', 'compose', '--runInBand', '--testTimeout=300000', ...jestArgs],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...scenarioEnv, ...extraEnv, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
      },
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Projects of earlier runs whose process is gone (killed before its own clean-up). */
async function removeStaleProjects() {
  const out = await podman(env, ['ps', '-a', '--format', '{{index .Labels "io.podman.compose.project"}}'], { allowFail: true });
  for (const p of new Set(out.split('\n').filter((l) => /^ytmtest\d+$/.test(l)))) {
    const pid = Number(p.slice('ytmtest'.length));
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await removeProject(env, p, log);
  }
}
