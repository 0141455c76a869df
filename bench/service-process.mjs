// Shared by the benchmarks: a service from `dist` as its own process on free ports (its ops
// listener too), waited for until its ops /health answers, and stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTrustMaterial, ServiceIdentity } from '@ytm/trust';
import { freePort } from '../scripts/system.mjs';

export { freePort };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The trust material services started from the repository root use by default (TRUST_DIR=./.ytm/trust), created if missing. */
export const TRUST_DIR = join(ROOT, '.ytm', 'trust');
export function benchIdentity(name) {
  ensureTrustMaterial(TRUST_DIR);
  return ServiceIdentity.load({ dir: TRUST_DIR, name });
}

/**
 * Spawns `node [nodeArgs] script` (in the repository root) with a free OPS_PORT and resolves once
 * its ops `/health` answers; `opsUrl` serves `/health` (details), `/ready`, `/metrics`; `stop()` ends it.
 */
export async function startServiceProcess({ name, script, env, nodeArgs = [], stdio = ['ignore', 'ignore', 'inherit'], timeoutMs = 60_000 }) {
  ensureTrustMaterial(TRUST_DIR);
  const opsUrl = `http://127.0.0.1:${await freePort()}`;
  const proc = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env: { TRUST_DIR, ...env, OPS_PORT: new URL(opsUrl).port }, stdio });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${opsUrl}/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: proc.pid,
    opsUrl,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
