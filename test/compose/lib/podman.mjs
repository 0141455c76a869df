// podman and podman-compose as this machine needs them: the runc runtime (crun fails on setrlimit
// here) with no default ulimits, and an image store under YTM_CACHE so images and build layers are
// reused between runs (and never mixed with other users of the machine's default store).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CACHE = join(process.env.YTM_CACHE ?? join(homedir(), '.cache', 'ytm'), 'compose');

/** The environment every podman and podman-compose call runs with. */
export function podmanEnv() {
  const graphroot = join(CACHE, 'storage');
  mkdirSync(graphroot, { recursive: true });
  const runroot = `/run/ytm-compose-${createHash('sha256').update(graphroot).digest('hex').slice(0, 12)}`;
  const containersConf = join(CACHE, 'containers.conf');
  const storageConf = join(CACHE, 'storage.conf');
  writeFileSync(containersConf, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
  writeFileSync(storageConf, `[storage]\ndriver = "overlay"\ngraphroot = "${graphroot}"\nrunroot = "${runroot}"\n`);
  return { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf };
}

/** Runs a command to completion; output goes to the log unless `capture`; throws on a non-zero exit. */
export function run(cmd, args, { env, cwd, capture = false, input, allowFail = false, log = console.log } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      if (capture) out += d;
      else log(String(d).trimEnd());
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (!capture) log(String(d).trimEnd());
    });
    if (input !== undefined) {
      if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
      else input.pipe(child.stdin);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || allowFail) resolve({ code, out, err });
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}${capture ? `\n${err.trim().slice(-2000)}` : ''}`));
    });
  });
}

export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** podman with the environment above; returns stdout. */
export async function podman(env, args, opts = {}) {
  const { out } = await run('podman', args, { env, capture: true, ...opts });
  return out;
}

/** The containers of one compose project, with their service names. */
export async function projectContainers(env, project) {
  const out = await podman(env, ['ps', '-a', '--filter', `label=io.podman.compose.project=${project}`, '--format', 'json']);
  return JSON.parse(out || '[]').map((c) => ({
    id: c.Id,
    name: c.Names[0],
    image: c.Image,
    service: c.Labels?.['com.docker.compose.service'],
    state: c.State,
    exitCode: c.ExitCode,
    ports: c.Ports ?? [],
  }));
}

/** Removes everything a compose project left (containers, volumes, networks), even half-started. */
export async function removeProject(env, project, log = () => {}) {
  const ids = (await podman(env, ['ps', '-aq', '--filter', `label=io.podman.compose.project=${project}`], { allowFail: true })).split('\n').filter(Boolean);
  if (ids.length) await run('podman', ['rm', '-f', '-t', '2', ...ids], { env, capture: true, allowFail: true });
  const vols = (await podman(env, ['volume', 'ls', '-q', '--filter', `label=io.podman.compose.project=${project}`], { allowFail: true }))
    .split('\n')
    .filter(Boolean);
  if (vols.length) await run('podman', ['volume', 'rm', '-f', ...vols], { env, capture: true, allowFail: true });
  const nets = (await podman(env, ['network', 'ls', '-q', '--filter', `label=io.podman.compose.project=${project}`], { allowFail: true }))
    .split('\n')
    .filter(Boolean);
  if (nets.length) await run('podman', ['network', 'rm', '-f', ...nets], { env, capture: true, allowFail: true });
  log(`removed project ${project}: ${ids.length} containers, ${vols.length} volumes, ${nets.length} networks`);
}

/**
 * Whether podman's DNS server for compose networks (aardvark-dns; one process for every network of
 * root's podman on the machine) is running: printed when a scenario fails. aardvark-dns 1.4 exits
 * when a reload reads a network's file that another container's network setup or teardown is
 * rewriting, and nothing starts it again until the next container starts on any network.
 */
export function dnsServerState(configDir = '/run/containers/networks/aardvark-dns') {
  let pid;
  try {
    pid = Number(readFileSync(join(configDir, 'aardvark.pid'), 'utf8').trim());
  } catch {
    return `aardvark-dns: no pid file in ${configDir}`;
  }
  try {
    process.kill(pid, 0);
    return `aardvark-dns: pid ${pid} running`;
  } catch {
    return `aardvark-dns: pid ${pid} NOT running (no name resolves on any compose network until a container starts)`;
  }
}
