// Shared by the benchmarks: a service from `dist` as its own process on free ports, waited for
// until its /health answers, and stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTrustMaterial, ServiceIdentity } from '@ytm/trust';

export { freePort } from '../scripts/system.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The trust material services started from the repository root use by default (TRUST_DIR=./.ytm/trust), created if missing. */
export const TRUST_DIR = join(ROOT, '.ytm', 'trust');
export function benchIdentity(name) {
  ensureTrustMaterial(TRUST_DIR);
  return ServiceIdentity.load({ dir: TRUST_DIR, name });
}

/** Spawns `node [nodeArgs] script` (in the repository root) and resolves once `${url}/health` answers; `stop()` ends it. */
export async function startServiceProcess({ name, script, url, env, nodeArgs = [], stdio = ['ignore', 'ignore', 'inherit'], timeoutMs = 60_000 }) {
  ensureTrustMaterial(TRUST_DIR);
  const proc = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env: { TRUST_DIR, ...env }, stdio });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: proc.pid,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
