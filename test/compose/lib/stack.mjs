// A compose project under podman-compose 1.0.3 (Debian 12's), which creates containers but ignores
// depends_on conditions, and under podman without systemd, where healthchecks never run on their own.
// So this module starts the created containers itself in the order depends_on gives, waits for each
// condition as compose would (service_healthy: the service's own healthcheck, run with
// `podman healthcheck run`; service_completed_successfully: exit code 0), and restarts on demand.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    this.healthy.clear();
    this.exited?.clear();
    await this.compose(['up', '--no-start']);
    await this.startAll(timeoutMs);
  }

  /**
   * What `docker compose up -d` does to services whose image changed (podman-compose 1.0.3 detects
   * no change): their containers stopped (10 s grace, dependants first) and removed, made again from
   * this stack's environment (its YTM_VERSION), and started in dependency order; the other
   * services' containers and every volume are kept.
   */
  async recreate(services, { timeoutMs = 300_000 } = {}) {
    this.services = this.config().services;
    const containers = (await this.containers()).filter((c) => services.includes(c.service));
    const order = (c) => -services.indexOf(c.service);
    // Their logs are lost with them: kept for a failed run's report when run.mjs names a folder.
    if (this.env.YTM_COMPOSE_LOG_DIR) await this.saveLogs(this.env.YTM_COMPOSE_LOG_DIR, containers, '.before-recreate');
    for (const c of containers.sort((a, b) => order(a) - order(b))) await podman(this.env, ['stop', '-t', '10', c.name]);
    await podman(this.env, ['rm', ...containers.map((c) => c.name)]);
    this.healthy.clear();
    this.exited?.clear();
    // Creates the missing containers; the kept ones exist already ("name in use"), which it reports and skips.
    await this.compose(['up', '--no-start'], { allowFail: true });
    await this.startAll(timeoutMs);
  }

  /**
   * Container starts one at a time, whatever their dependencies allow: each start rewrites the
   * network's file for podman's aardvark-dns and signals it to reload, and aardvark-dns 1.4.0
   * (Debian 12) exits when a reload reads a file another start is still writing. Then no name on
   * any compose network resolves until the next container start (README "DNS on the compose
   * network"). Likely what a CI run hit: edge and subsonic started together, and library, which had
   * not fetched resource's keys yet, could not reach resource by name for the rest of the scenario.
   */
  oneAtATime(fn) {
    const run = (this.starting ?? Promise.resolve()).then(fn);
    this.starting = run.catch(() => undefined);
    return run;
  }

  async startAll(timeoutMs) {
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
            for (const n of names) await this.oneAtATime(() => podman(this.env, ['start', n]));
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
    for (const n of names) await this.oneAtATime(() => podman(this.env, ['restart', '-t', '10', n]));
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

  /** A GET on one container's ops listener (loopback inside it, never published): the body as text. */
  opsText(container, opsPort, path) {
    const script = `fetch('http://127.0.0.1:${opsPort}${path}').then((r) => r.text()).then((t) => process.stdout.write(t))`;
    return podman(this.env, ['exec', container, 'node', '-e', script]);
  }

  /**
   * The edge's router slots with an address, from its stats CSV on the loopback monitor (never
   * published), read inside the edge container with bash (the image has no HTTP client):
   * `{ slot, address, status, check }`, status as HAProxy reports it (UP, DOWN, MAINT (resolution), ...).
   */
  async edgeRouters() {
    const [edge] = await this.containers('edge');
    if (!edge) throw new Error('no edge container');
    const script = 'exec 3<>/dev/tcp/127.0.0.1/8405 && printf "GET /stats;csv HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3';
    const out = await podman(this.env, ['exec', edge.name, 'bash', '-c', script]);
    const lines = out.split(/\r?\n/);
    const header = lines.findIndex((l) => l.startsWith('# pxname,'));
    if (header < 0) throw new Error(`the edge's /stats;csv has no header:\n${out.slice(0, 500)}`);
    const cols = lines[header].slice(2).split(',');
    const at = (row, name) => row[cols.indexOf(name)] ?? '';
    return lines
      .slice(header + 1)
      .map((l) => l.split(','))
      .filter((row) => at(row, 'pxname') === 'routers' && !['BACKEND', 'FRONTEND'].includes(at(row, 'svname')))
      .map((row) => ({ slot: at(row, 'svname'), address: at(row, 'addr').replace(/:\d+$/, ''), status: at(row, 'status'), check: at(row, 'check_status') }))
      .filter((r) => r.address && r.address !== '0.0.0.0');
  }

  /** Each running container's address on the compose network. */
  async addresses(service) {
    const names = (await this.containers(service)).filter((c) => c.state === 'running').map((c) => c.name);
    if (!names.length) return new Map();
    const out = await podman(this.env, ['inspect', '--format', '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', ...names]);
    return new Map(
      out
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([name, ip]) => [name, ip]),
    );
  }

  /**
   * Waits until the edge has every running router container UP (its address found through DNS and
   * its health check passed); else fails naming each router's state in the edge and the edge's log.
   */
  async waitEdgeRouters(timeoutMs = 60_000) {
    const t0 = Date.now();
    for (;;) {
      const routers = await this.addresses('router');
      let slots = [];
      let error = '';
      try {
        slots = await this.edgeRouters();
      } catch (err) {
        error = `\n  (reading the edge's stats: ${err.message})`;
      }
      const missing = [...routers].filter(([, ip]) => !slots.some((s) => s.address === ip && s.status === 'UP'));
      if (routers.size && !missing.length) {
        this.log(`edge: every router UP (${[...routers.values()].join(', ')}) (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
        return slots;
      }
      if (Date.now() - t0 > timeoutMs) {
        const seen = (ip) =>
          slots
            .filter((s) => s.address === ip)
            .map((s) => `${s.slot} ${s.status} ${s.check}`)
            .join('; ') || 'no slot';
        const state = [...routers].map(([name, ip]) => `${name} (${ip}): ${seen(ip)}`).join('\n  ');
        const [edge] = await this.containers('edge');
        if (!edge) throw new Error(`no edge container; routers: ${state}`);
        throw new Error(
          `the edge does not have every router UP after ${timeoutMs / 1000} s:\n  ${state || 'no router running'}${error}\n${await this.logs(edge.name)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Stops one container (SIGTERM, then 10 s grace), as losing an instance would. */
  async stopContainer(container) {
    await podman(this.env, ['stop', '-t', '10', container]);
  }

  /** Every line each container logged so far, to `<dir>/<container><suffix>.log`; returns the files. */
  async saveLogs(dir, containers, suffix = '') {
    mkdirSync(dir, { recursive: true });
    const files = [];
    for (const c of containers ?? (await this.containers())) {
      const { out, err } = await run('podman', ['logs', '-t', c.name], { env: this.env, capture: true, allowFail: true });
      const file = join(dir, `${c.name}${suffix}.log`);
      writeFileSync(file, out + err);
      files.push(file);
    }
    return files;
  }

  async logs(name, tail = 60) {
    const { out, err } = await run('podman', ['logs', '--tail', String(tail), name], { env: this.env, capture: true, allowFail: true });
    return `--- last ${tail} log lines of ${name} ---\n${out}${err}`;
  }
}
