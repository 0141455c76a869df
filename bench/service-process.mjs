// Shared by the benchmarks: a service from `dist` as its own process on free ports, waited for
// until its /health answers, and stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '../scripts/system.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Spawns `node [nodeArgs] script` (in the repository root) and resolves once `${url}/health` answers; `stop()` ends it. */
export async function startServiceProcess({ name, script, url, env, nodeArgs = [], stdio = ['ignore', 'ignore', 'inherit'], timeoutMs = 60_000 }) {
  const proc = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env, stdio });
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
