// A compose project under podman-compose 1.0.3 (Debian 12's), which creates containers but ignores
// depends_on conditions, and under podman without systemd, where healthchecks never run on their own.
// So this module starts the created containers itself in the order depends_on gives, waits for each
// condition as compose would (service_healthy: the service's own healthcheck, run with
// `podman healthcheck run`; service_completed_successfully: exit code 0), and restarts on demand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { podman, projectContainers, run } from './podman.mjs';

export class Stack {
  /** @param {{ env: NodeJS.ProcessEnv, project: string, files: string[], cwd: string, log: (m: string) => void }} o */
  constructor(o) {
    Object.assign(this, o);
    this.healthy = new Map();
  }

  compose(args, opts = {}) {
    const files = this.files.flatMap((f) => ['-f', f]);
    return run('podman-compose', ['--no-ansi', '-p', this.project, ...files, ...args], { env: this.env, cwd: this.cwd, capture: true, ...opts });
  }

  /**
   * The services with their depends_on and whether they have a healthcheck (Debian's podman-compose
   * has no `config` command): maps merge across the files, as in compose.
   */
  config() {
    const services = {};
    for (const f of this.files) {
      const doc = parse(readFileSync(join(this.cwd, f), 'utf8'), { merge: true, maxAliasCount: 1000 });
      for (const [name, svc] of Object.entries(doc.services ?? {})) {
        const into = (services[name] ??= {});
        into.depends_on = { ...into.depends_on, ...svc.depends_on };
        into.healthcheck ??= svc.healthcheck;
      }
    }
    return { services };
  }

  async containers(service) {
    const all = await projectContainers(this.env, this.project);
    return service ? all.filter((c) => c.service === service) : all;
  }

  /** Creates the network, volumes and containers (`up --no-start`), then starts them in dependency order. */
  async up({ timeoutMs = 300_000 } = {}) {
    const config = this.config();
    this.services = config.services;
    await this.compose(['up', '--no-start']);
    const started = new Map();
    const start = (name) => {
      if (!started.has(name)) {
        started.set(
          name,
          (async () => {
            const deps = Object.entries(this.services[name].depends_on ?? {});
            await Promise.all(deps.map(([dep, d]) => start(dep).then(() => this.condition(dep, d?.condition ?? 'service_started', timeoutMs))));
            const names = (await this.containers(name)).map((c) => c.name);
            this.log(`starting ${name} (${names.join(', ')})`);
            await podman(this.env, ['start', ...names]);
          })(),
        );
      }
      return started.get(name);
    };
    await Promise.all(Object.keys(this.services).map(start));
    await Promise.all(
      Object.keys(this.services)
        .filter((s) => this.services[s].healthcheck)
        .map((s) => this.waitHealthy(s, timeoutMs)),
    );
  }

  condition(service, condition, timeoutMs) {
    if (condition === 'service_healthy') return this.waitHealthy(service, timeoutMs);
    if (condition === 'service_completed_successfully') return this.waitExited(service, timeoutMs);
    return Promise.resolve();
  }

  /** Every container of the service answers its healthcheck (memoised until the next restart). */
  waitHealthy(service, timeoutMs = 180_000) {
    if (!this.healthy.has(service)) {
      const t0 = Date.now();
      const p = this.containers(service)
        .then((cs) => Promise.all(cs.map((c) => this.waitContainerHealthy(c.name, t0 + timeoutMs))))
        .then(() => this.log(`${service} healthy (${((Date.now() - t0) / 1000).toFixed(1)}s)`));
      p.catch(() => this.healthy.delete(service));
      this.healthy.set(service, p);
    }
    return this.healthy.get(service);
  }

  async waitContainerHealthy(name, deadline) {
    for (;;) {
      const state = (await podman(this.env, ['inspect', name, '--format', '{{.State.Status}} {{.State.ExitCode}}'])).trim();
      if (!state.startsWith('running')) throw new Error(`${name} is ${state} (not running) while waiting for it to be healthy\n${await this.logs(name)}`);
      const { code } = await run('podman', ['healthcheck', 'run', name], { env: this.env, capture: true, allowFail: true });
      if (code === 0) return;
      if (Date.now() > deadline) throw new Error(`${name} not healthy in time\n${await this.logs(name)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** Every container of the (one-shot) service exited 0 (memoised). */
  waitExited(service, timeoutMs) {
    this.exited ??= new Map();
    if (!this.exited.has(service)) {
      this.exited.set(
        service,
        (async () => {
          for (const c of await this.containers(service)) {
            const { out } = await run('timeout', [String(Math.ceil(timeoutMs / 1000)), 'podman', 'wait', c.name], { env: this.env, capture: true });
            if (out.trim() !== '0') throw new Error(`${c.name} exited with ${out.trim()}\n${await this.logs(c.name)}`);
          }
          this.log(`${service} completed`);
        })(),
      );
    }
    return this.exited.get(service);
  }

  /** podman restart every container of a service, then wait for its health again. */
  async restart(service, timeoutMs) {
    this.healthy.delete(service);
    const names = (await this.containers(service)).map((c) => c.name);
    await podman(this.env, ['restart', '-t', '10', ...names]);
    await this.waitHealthy(service, timeoutMs);
  }

  /**
   * A service's ops `/health` (loopback only, never published), read from inside its first
   * container with the image's own node.
   */
  async opsHealth(service, opsPort) {
    const [c] = await this.containers(service);
    if (!c) throw new Error(`no container of ${service}`);
    const script = `fetch('http://127.0.0.1:${opsPort}/health').then((r) => r.text()).then((t) => process.stdout.write(t))`;
    return JSON.parse(await podman(this.env, ['exec', c.name, 'node', '-e', script]));
  }

  async logs(name, tail = 60) {
    const { out, err } = await run('podman', ['logs', '--tail', String(tail), name], { env: this.env, capture: true, allowFail: true });
    return `--- last ${tail} log lines of ${name} ---\n${out}${err}`;
  }
}
