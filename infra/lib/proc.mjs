// Child processes, pid files and ports: the OS-facing part shared by FerretDB and Kafka.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True while the pid exists and is not a zombie (a killed child we have not reaped yet). */
export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): kill(0) is all we know
  }
}

/** The pid's command line; '' when unknown. Guards against a recycled pid being taken for ours. */
export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim(); // no procfs (macOS)
    } catch {
      return '';
    }
  }
}

export function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePid(file, pid) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

export const removeFile = (file) => rmSync(file, { force: true });

/**
 * Children started attached die with us, so a crashed or careless test run leaves no orphans.
 * The exit hook alone is not enough (jest sandboxes `process`, and SIGKILL skips hooks), so on
 * Linux the child also gets a parent-death signal via util-linux setpriv, which execs in place.
 */
const attached = new Set();
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
process.once('exit', () => {
  for (const pid of attached) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Starts a process with stdout/stderr appended to logFile. `detached` survives our exit
 * (own session, unref'd); otherwise it is killed when this Node process exits.
 */
export function startProcess(cmd, args, { logFile, detached = false, env = process.env, cwd }) {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const [file, argv] = !detached && setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', cmd, ...args]] : [cmd, args];
    const child = spawn(file, argv, { cwd, env, detached, stdio: ['ignore', fd, fd] });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${cmd}`);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    if (!detached) {
      attached.add(child.pid);
      void exited.then(() => attached.delete(child.pid));
    }
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM (or `signal`), then SIGKILL after graceMs. Resolves once the pid is gone. */
export async function stopPid(pid, { signal = 'SIGTERM', graceMs = 10_000 } = {}) {
  if (!isAlive(pid)) return;
  signalPid(pid, 'SIGCONT'); // a paused process would never act on SIGTERM
  signalPid(pid, signal);
  if (await waitForExit(pid, graceMs)) return;
  signalPid(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

export function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/** True when nothing can bind 127.0.0.1:port, i.e. someone (maybe on 0.0.0.0) holds it. */
export function portBusy(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

export async function getFreePort() {
  const [port] = await getFreePorts(1);
  return port;
}

/** `count` distinct free ports: every one is held until all are chosen (two calls to getFreePort may return the same port). */
export async function getFreePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port: 0, host: '127.0.0.1' }, resolve);
      });
    }
    return servers.map((srv) => srv.address().port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(() => resolve()))));
  }
}

export function portOpen(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Last lines of a log, for error messages when a server dies on start. */
export function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
