// A started server as an object tests can stop, crash, freeze and restart.
import { isAlive, removeFile, signalPid, sleep, stopPid, tail, waitForExit, writePid } from './proc.mjs';

/**
 * Spawns via `spawnOnce`, then resolves once `isReady()` holds. A process that exits or never
 * becomes ready is an error carrying the end of its log.
 */
export async function launch({ name, spawnOnce, isReady, logFile, pidFile, timeoutMs, props }) {
  let proc;
  const start = async () => {
    proc = spawnOnce();
    if (pidFile) writePid(pidFile, proc.pid);
    try {
      await waitReady({ name, proc, isReady, logFile, timeoutMs });
    } catch (err) {
      await stopPid(proc.pid, { graceMs: 2_000 });
      if (pidFile) removeFile(pidFile);
      throw err;
    }
  };
  await start();
  const handle = {
    ...props,
    name,
    logFile,
    get pid() {
      return proc.pid;
    },
    alive: () => isAlive(proc.pid),
    /** Graceful stop; SIGKILL if still alive after 10 s. */
    async stop(signal = 'SIGTERM') {
      await stopPid(proc.pid, { signal });
      if (pidFile) removeFile(pidFile);
    },
    /** A crash: SIGKILL, no cleanup (the pid file stays, as after a real crash). */
    async kill() {
      signalPid(proc.pid, 'SIGKILL');
      await waitForExit(proc.pid, 5_000);
    },
    /** Freezes the process: its ports stay open but nothing answers. */
    async pause() {
      signalPid(proc.pid, 'SIGSTOP');
    },
    async resume() {
      signalPid(proc.pid, 'SIGCONT');
    },
    /** Stops it if still alive, then starts it again on the same ports and data. */
    async restart() {
      await stopPid(proc.pid);
      await start();
      return handle;
    },
  };
  return handle;
}

async function waitReady({ name, proc, isReady, logFile, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  void proc.exited.then((e) => (exit = e));
  let lastError;
  for (;;) {
    if (exit || !isAlive(proc.pid)) {
      const how = exit?.error ? exit.error.message : `exit code ${exit?.code ?? '?'}${exit?.signal ? `, ${exit.signal}` : ''}`;
      throw new Error(`${name} exited during startup (${how}). Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    try {
      if (await isReady()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} not ready after ${timeoutMs / 1000}s (${lastError?.message ?? 'no answer'}). Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
}
