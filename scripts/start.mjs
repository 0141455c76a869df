// npm start (production mode) / npm run dev (development mode): provisions FerretDB and Kafka when
// needed, builds, starts the three subgraphs and the router, prints the router URL.
// Ctrl-C stops everything this command started.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { down, ensureFfmpeg, up } from '../infra/infra.mjs';
import { ensureDeps } from './deps.mjs';
import { ROOT, startSystem } from './system.mjs';
import { DEMO_FOLDER, ensureDemoLibrary } from './music.mjs';
import { buildWeb, startWebDev } from './web.mjs';

// A fresh clone has no node_modules: install first (the README's two commands are the only set-up).
await ensureDeps();

const dev = process.argv.includes('--dev');
// Scale-out on one machine: `npm start -- --routers 2 --replicas 2` (extra instances on ports +10, +20, ...).
const numberArg = (name) => {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : 1;
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new Error(`${name} takes a whole number from 1 to 5`);
  return n;
};
const routers = numberArg('--routers');
const replicas = numberArg('--replicas');
const t0 = Date.now();
const say = (msg) => console.log(`[ytm] ${msg}`);
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);

let system;
let infra;
let build;
let webDev;
let starting;
let stopping = false;
const aborter = new AbortController();
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  build?.kill('SIGTERM');
  webDev?.kill('SIGTERM');
  aborter.abort();
  await starting?.catch(() => undefined);
  await system?.stop();
  // Ctrl-C while infra was still starting: stop whatever this checkout started.
  const only = infra ? infra.startedNow : undefined;
  if (!infra || only.length) await down({ ...(only ? { only } : {}), lock: Boolean(infra), log: (m) => console.log(`[infra] ${m}`) });
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// The terminal closed: same as Ctrl-C (the services, in their own process groups, do not get its hangup).
process.on('SIGHUP', () => void stopAll(0));
// Whatever ends this process, no service outlives it (stopAll has stopped them in order before).
process.on('exit', () => {
  for (const s of Object.values(system?.services ?? {})) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
});

infra = await up({ log: (m) => console.log(`[infra] ${m}`) });
// ytm-stream transcodes with ffmpeg: the machine's, or one unpacked from the npm registry (cached).
Object.assign(process.env, await ensureFfmpeg({ log: (m) => console.log(`[infra] ${m}`) }));
const musicDir = process.env.MUSIC_DIR ?? join(ROOT, 'music');
mkdirSync(musicDir, { recursive: true });
// A first run has nothing to play: the default folder, when empty, gets a small demo library
// (written while the build runs). A folder the user named (MUSIC_DIR) is never written to.
const demoWriting =
  process.env.MUSIC_DIR === undefined
    ? ensureDemoLibrary(musicDir, { log: say }).catch((err) => {
        console.error(`[ytm] could not write the demo library (${err.message}); starting with an empty music folder`);
        return 0;
      })
    : Promise.resolve(0);
say(`building (tsc -b)... [${secs()}s]`);
build = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, stdio: 'inherit' });
const built = await new Promise((resolve) => build.on('exit', (code) => resolve(code === 0)));
if (stopping) await new Promise(() => undefined); // stopAll exits the process
if (!built) {
  console.error('[ytm] build failed');
  await stopAll(1);
}
// The web player: built for the router to serve at / (npm start), or served by vite with hot reload (npm run dev).
if (!dev && !(await buildWeb({ log: say, signal: aborter.signal }))) {
  if (stopping) await new Promise(() => undefined);
  console.error('[ytm] web player build failed');
  await stopAll(1);
}
const demo = await demoWriting;
const logDir = join(ROOT, '.ytm', 'logs');
say(`starting services in ${dev ? 'development' : 'production'} mode (logs: ${logDir}) [${secs()}s]`);

try {
  starting = startSystem({
    signal: aborter.signal,
    mongodbUrl: infra.mongodbUrl,
    kafkaBrokers: infra.kafkaBrokers,
    production: !dev,
    routers,
    replicas,
    // One library instance scans and watches; the others serve reads.
    replicaEnv: { library: { SCAN_ON_START: 'false', WATCH: 'false' } },
    env: { MUSIC_DIR: musicDir },
    // Ctrl-C reaches this process alone, which stops the subgraphs (they deregister) before the router.
    ownProcessGroups: true,
    logDir,
    onLine: (service, line) => {
      // Show warnings and errors as they happen; everything is in the log files.
      try {
        const entry = JSON.parse(line);
        if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') console.log(`[${service}] ${entry.level}: ${entry.msg}`);
      } catch {
        console.log(`[${service}] ${line}`);
      }
    },
  });
  system = await starting;
} catch (err) {
  if (stopping) await new Promise(() => undefined);
  console.error(`[ytm] could not start: ${err.message} (see ${logDir})`);
  await stopAll(1);
}
for (const s of Object.values(system.services)) if (s.proc) s.proc.on('exit', (code) => !stopping && console.error(`[ytm] ${s.name} exited (${code})`));
say(`ready in ${secs()}s`);
if (dev) {
  webDev = startWebDev(system.routerUrls[0]);
  say(`web player (hot reload): http://127.0.0.1:5173/   (the router serves the last production build at ${system.routerUrls[0]}/)`);
} else say(`web player: ${system.routerUrls.map((u) => `${u}/`).join('  ')}`);
say(`GraphQL: ${system.routerUrls.map((u) => `${u}/graphql`).join('  ')}   music folder: ${musicDir}   (Ctrl-C stops everything)`);
if (demo > 0 || existsSync(join(musicDir, DEMO_FOLDER))) {
  say(`the music folder holds a demo library (${join(musicDir, DEMO_FOLDER)}): sign up in the web player and press play.`);
  say(`your own music: copy it into ${musicDir} (picked up while running), or start with MUSIC_DIR=/path/to/your/music npm start;`);
  say(`delete ${join(musicDir, DEMO_FOLDER)} to remove the demo.`);
} else if (process.env.MUSIC_DIR === undefined) say(`your own music: put it in ${musicDir}, or start with MUSIC_DIR=/path/to/your/music npm start.`);
