// npm dependencies for `npm start` / `npm test` on a fresh clone: installs them with `npm ci` when
// node_modules is missing or older than package-lock.json. Imports nothing outside node: so it runs
// before anything is installed.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Why node_modules needs installing, or undefined when it is current. */
export function staleReason(root = ROOT) {
  const lock = mtime(join(root, 'package-lock.json'));
  // npm writes node_modules/.package-lock.json at the end of every install.
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  if (installed === undefined) return 'node_modules is missing';
  if (lock !== undefined && lock > installed) return 'package-lock.json is newer than node_modules';
  return undefined;
}

/** Runs `npm ci` when needed, printing progress every 10 s; rejects when the install fails. */
export async function ensureDeps({ log = (m) => console.log(`[deps] ${m}`), root = ROOT } = {}) {
  const reason = staleReason(root);
  if (!reason) return false;
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
  log(`${reason}: installing npm dependencies (npm ci)...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const child = spawn(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const tick = setInterval(() => log(`  ... still installing (${secs()}s)`), 10_000);
  const code = await new Promise((res) => {
    child.on('error', () => res(-1));
    child.on('exit', (c) => res(c ?? 1));
  });
  clearInterval(tick);
  if (code !== 0) throw new Error(`npm ci failed (exit ${code}); run it by hand to see why`);
  log(`npm dependencies installed in ${secs()}s`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDeps().catch((err) => {
    console.error(`[deps] ${err.message}`);
    process.exit(1);
  });
}
