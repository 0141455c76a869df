// npm run check:compose-file [-- --file other.yml]: validates docker-compose.yml without a Docker engine.
// Parses the YAML (anchors and merge keys included) and checks the compose-spec rules that bite in
// practice, plus YTM's own (one database per service, /ready healthchecks on the ops port, ports per
// architecture.md, ops ports never published).
// Also the rules compose needs to run at all (JWKS and other service URLs by name, one PUBLIC_URL
// browsers reach, ART_DIR on a named volume, the music folder read-only, only the edge published,
// a non-root USER in the Dockerfile), that test/compose/compose.test.yml, the override
// `npm run test:compose` adds, only swaps the stores' and the edge's images and the services' base
// image, and that compose.scale.yml only sets replicas.
// If a docker compose CLI happens to be installed, `config -q` runs as a second opinion (Debian's
// podman-compose 1.0.3 has no `config` command).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fileArg = process.argv.indexOf('--file');
const file = resolve(fileArg > 0 ? process.argv[fileArg + 1] : join(root, 'docker-compose.yml'));
const baseDir = dirname(file);
const errors = [];
const warnings = [];
const err = (path, msg) => errors.push(`${path}: ${msg}`);

const TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include']);
// Compose-spec service keys we accept; anything else is almost always a typo (e.g. `depend_on`).
const SERVICE_KEYS = new Set(
  (
    'image build command entrypoint environment env_file ports expose volumes depends_on healthcheck restart init ' +
    'networks network_mode user working_dir labels logging deploy container_name hostname extra_hosts secrets configs ' +
    'stop_grace_period stop_signal ulimits tmpfs read_only cap_add cap_drop security_opt profiles pull_policy platform ' +
    'mem_limit cpus shm_size stdin_open tty develop'
  ).split(' '),
);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isExtension = (k) => k.startsWith('x-');

// YTM rules: which services are ours, their ports (architecture.md; ops = OPS_PORT's default) and their databases.
const YTM = {
  router: { ports: [4000, 50050], ops: 9400 },
  library: { ports: [4001, 50051], ops: 9401, db: 'ytm_library' },
  resource: { ports: [4002, 50052], ops: 9402, db: 'ytm_resource' },
  stream: { ports: [4003, 50053], ops: 9403, db: 'ytm_stream' },
  // ytm-subsonic: HTTP only (no gRPC server, no database).
  subsonic: { ports: [4004], ops: 9404 },
};

const text = readFileSync(file, 'utf8');
const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
for (const w of doc.warnings) err('yaml', w.message);
if (doc.errors.length) {
  console.error(`${file}: not valid YAML\n  - ${doc.errors.map((e) => e.message).join('\n  - ')}`);
  process.exit(1);
}
const raw = doc.toJS({ maxAliasCount: 1000 });
if (!isMap(raw)) err('(root)', 'must be a mapping');
const variables = [...checkInterpolation(raw)].sort();
// Like compose, check the file as it will be run: variables substituted (unset -> default or '').
const spec = interpolate(raw);

for (const key of Object.keys(spec ?? {})) {
  if (!TOP_KEYS.has(key) && !isExtension(key)) err(key, 'unknown top-level key');
}
if (spec.version !== undefined) err('version', 'is obsolete in the compose spec; remove it');

const services = isMap(spec.services) ? spec.services : {};
if (!isMap(spec.services) || Object.keys(services).length === 0) err('services', 'must be a non-empty mapping');
const declaredVolumes = new Set(Object.keys(isMap(spec.volumes) ? spec.volumes : {}));
const declaredNetworks = new Set(['default', ...Object.keys(isMap(spec.networks) ? spec.networks : {})]);
const hostPorts = new Map();
const publicUrls = new Set(); // router, library and stream must agree on it
const oneShot = new Set(); // services others wait on with service_completed_successfully

for (const svc of Object.values(services)) {
  for (const [dep, d] of Object.entries(isMap(svc?.depends_on) ? svc.depends_on : {})) if (d?.condition === 'service_completed_successfully') oneShot.add(dep);
}

for (const [name, svc] of Object.entries(services)) {
  const at = `services.${name}`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) err(at, 'invalid service name');
  if (!isMap(svc)) {
    err(at, 'must be a mapping');
    continue;
  }
  for (const key of Object.keys(svc)) if (!SERVICE_KEYS.has(key) && !isExtension(key)) err(`${at}.${key}`, 'unknown service key');
  if (!svc.image && !svc.build) err(at, 'needs `image` or `build`');
  checkBuild(at, svc.build);
  checkEnvironment(`${at}.environment`, svc.environment);
  checkDependsOn(at, name, svc.depends_on);
  checkHealthcheck(at, name, svc);
  checkPorts(at, name, svc.ports);
  checkVolumes(at, svc.volumes);
  for (const net of Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {})) {
    if (!declaredNetworks.has(net)) err(`${at}.networks`, `network "${net}" is not declared at top level`);
  }
  if (svc.restart !== undefined && !/^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(String(svc.restart)))
    err(`${at}.restart`, `invalid value "${svc.restart}"`);
  if (YTM[name]) checkYtmService(at, name, svc);
}
for (const name of Object.keys(YTM)) if (!services[name]) err(`services.${name}`, 'missing YTM service');
for (const name of ['mongo', 'kafka', 'edge']) if (!services[name]) err(`services.${name}`, 'missing infrastructure service');
const published = Object.entries(services)
  .filter(([, svc]) => containerPorts(svc?.ports).length > 0)
  .map(([name]) => name);
if (published.join() !== 'edge') err('services', `only the edge may publish a port (published: ${published.join(', ') || 'none'})`);
checkCycles();
if (publicUrls.size > 1) err('services', `router, library and stream must share one PUBLIC_URL (got ${[...publicUrls].join(', ')})`);
checkDockerfileUser();
if (fileArg < 0) checkTestOverride(join(root, 'test', 'compose', 'compose.test.yml'));
if (fileArg < 0) checkScaleOverride(join(root, 'compose.scale.yml'));

function checkBuild(at, build) {
  if (build === undefined) return;
  const b = typeof build === 'string' ? { context: build } : build;
  if (!isMap(b) || typeof b.context !== 'string') return err(`${at}.build`, 'needs a `context` string');
  const ctx = isAbsolute(b.context) ? b.context : resolve(baseDir, b.context);
  if (!existsSync(ctx) || !statSync(ctx).isDirectory()) return err(`${at}.build.context`, `directory ${ctx} does not exist`);
  const dockerfile = resolve(ctx, b.dockerfile ?? 'Dockerfile');
  if (!existsSync(dockerfile)) return err(`${at}.build.dockerfile`, `${dockerfile} does not exist`);
  const declaredArgs = new Set([...readFileSync(dockerfile, 'utf8').matchAll(/^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)/gm)].map((m) => m[1]));
  for (const [k, v] of Object.entries(isMap(b.args) ? b.args : {})) {
    if (!declaredArgs.has(k)) err(`${at}.build.args.${k}`, `the Dockerfile declares no ARG ${k}`);
    if (typeof v !== 'string') err(`${at}.build.args.${k}`, `must be a string (got ${typeof v}); quote it`);
  }
}

function checkEnvironment(at, env) {
  if (env === undefined) return;
  if (Array.isArray(env)) {
    for (const e of env) if (typeof e !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*(=.*)?$/s.test(e)) err(at, `invalid entry ${JSON.stringify(e)}`);
    return;
  }
  if (!isMap(env)) return err(at, 'must be a mapping or a list of KEY=value');
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(k)) err(`${at}.${k}`, 'invalid variable name');
    // Compose coerces numbers, but YAML booleans/octals/floats surprise (yes -> true, 010 -> 8): quote everything.
    if (v !== null && typeof v !== 'string') err(`${at}.${k}`, `must be a string (got ${typeof v} ${JSON.stringify(v)}); quote it`);
  }
}

function checkDependsOn(at, name, deps) {
  if (deps === undefined) return;
  const entries = Array.isArray(deps) ? deps.map((d) => [d, { condition: 'service_started' }]) : isMap(deps) ? Object.entries(deps) : null;
  if (!entries) return err(`${at}.depends_on`, 'must be a list or a mapping');
  for (const [dep, opts] of entries) {
    const p = `${at}.depends_on.${dep}`;
    if (dep === name) err(p, 'a service cannot depend on itself');
    if (!services[dep]) err(p, `no service named "${dep}"`);
    const condition = opts?.condition ?? 'service_started';
    if (!CONDITIONS.has(condition)) err(p, `unknown condition "${condition}"`);
    if (condition === 'service_healthy' && services[dep] && !hasHealthcheck(services[dep])) err(p, `waits for service_healthy but "${dep}" has no healthcheck`);
  }
}

function hasHealthcheck(svc) {
  const hc = svc.healthcheck;
  return isMap(hc) && hc.disable !== true && hc.test !== undefined && !(Array.isArray(hc.test) && hc.test[0] === 'NONE');
}

function checkHealthcheck(at, name, svc) {
  const hc = svc.healthcheck;
  if (hc === undefined) {
    if (!oneShot.has(name)) err(`${at}.healthcheck`, 'missing (every long-running service needs one so depends_on can wait for it)');
    return;
  }
  if (!isMap(hc)) return err(`${at}.healthcheck`, 'must be a mapping');
  const t = hc.test;
  if (typeof t === 'string') {
    if (!t.trim()) err(`${at}.healthcheck.test`, 'is empty');
  } else if (!Array.isArray(t) || !['CMD', 'CMD-SHELL', 'NONE'].includes(t[0]) || t.some((x) => typeof x !== 'string') || (t[0] !== 'NONE' && t.length < 2)) {
    err(`${at}.healthcheck.test`, 'must be a string or a list of strings starting with CMD, CMD-SHELL or NONE, plus a command');
  }
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval']) {
    if (hc[k] !== undefined && !DURATION.test(String(hc[k]))) err(`${at}.healthcheck.${k}`, `invalid duration "${hc[k]}" (e.g. 10s, 1m30s)`);
  }
  if (hc.retries !== undefined && !(Number.isInteger(hc.retries) && hc.retries > 0)) err(`${at}.healthcheck.retries`, 'must be a positive integer');
}

function checkPorts(at, name, ports) {
  if (ports === undefined) return;
  if (!Array.isArray(ports)) return err(`${at}.ports`, 'must be a list');
  for (const p of ports) {
    if (typeof p !== 'string') {
      if (isMap(p) && p.target) recordHostPort(`${at}.ports`, name, p.published, p.host_ip, p.protocol);
      else err(`${at}.ports`, `${JSON.stringify(p)}: quote port mappings ("4000:4000"); unquoted a:b can parse as base-60`);
      continue;
    }
    const m = /^(?:(\[[^\]]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?):)?(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/.exec(p);
    if (!m) {
      err(`${at}.ports`, `invalid mapping "${p}"`);
      continue;
    }
    for (const n of [m[2], m[3]].filter(Boolean).flatMap((r) => r.split('-'))) if (+n < 1 || +n > 65535) err(`${at}.ports`, `"${p}": port ${n} out of range`);
    if (m[2]) recordHostPort(`${at}.ports`, name, m[2], m[1], m[4]);
  }
}

/** The container-side ports a service's `ports` list publishes. */
function containerPorts(ports) {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((p) => {
    if (isMap(p)) return p.target ? [Number(p.target)] : [];
    const target = typeof p === 'string' ? /(\d+)(?:-\d+)?(?:\/\w+)?$/.exec(p)?.[1] : undefined;
    return target ? [Number(target)] : [];
  });
}

function recordHostPort(at, name, published, ip = '0.0.0.0', protocol = 'tcp') {
  if (published === undefined) return;
  const key = `${ip}:${published}/${protocol}`;
  if (hostPorts.has(key)) err(at, `host port ${published}/${protocol} is already published by "${hostPorts.get(key)}"`);
  else hostPorts.set(key, name);
}

function checkVolumes(at, volumes) {
  if (volumes === undefined) return;
  if (!Array.isArray(volumes)) return err(`${at}.volumes`, 'must be a list');
  for (const v of volumes) {
    const source = typeof v === 'string' ? (v.includes(':') ? v.split(':')[0] : undefined) : v?.source;
    if (typeof v === 'string' && !/^[^:]+(:[^:]+(:(ro|rw|z|Z|cached|delegated|consistent|nocopy)(,\w+)*)?)?$/.test(v))
      err(`${at}.volumes`, `invalid volume "${v}"`);
    const named = source && !/^[./~$]/.test(source) && !isAbsolute(source);
    if (named && !declaredVolumes.has(source)) err(`${at}.volumes`, `named volume "${source}" is not declared under top-level volumes`);
  }
}

function checkYtmService(at, name, svc) {
  const env = Array.isArray(svc.environment)
    ? Object.fromEntries(svc.environment.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]))
    : (svc.environment ?? {});
  if (env.NODE_ENV !== 'production') err(`${at}.environment.NODE_ENV`, 'must be "production"');
  if (!env.KAFKA_BROKERS) err(`${at}.environment.KAFKA_BROKERS`, 'missing');
  if (env.HOST !== '0.0.0.0') err(`${at}.environment.HOST`, 'must be "0.0.0.0" (services bind 127.0.0.1 by default, unreachable from other containers)');
  const [http, grpc] = YTM[name].ports;
  if (String(env.PORT) !== String(http)) err(`${at}.environment.PORT`, `architecture.md says ${http}`);
  if (grpc !== undefined && String(env.GRPC_PORT) !== String(grpc)) err(`${at}.environment.GRPC_PORT`, `architecture.md says ${grpc}`);
  if (name !== 'router' && env.REGISTRY_URL !== 'router:50050') err(`${at}.environment.REGISTRY_URL`, 'must be router:50050');
  const db = YTM[name].db;
  if (db) {
    const urlDb = /^mongodb(\+srv)?:\/\/[^/]+\/([^?]+)/.exec(env.MONGODB_URL ?? '')?.[2];
    if (urlDb !== db) err(`${at}.environment.MONGODB_URL`, `must point at its own database ${db} (got ${urlDb ?? 'none'})`);
    if (env.MONGODB_DB !== undefined && env.MONGODB_DB !== db) err(`${at}.environment.MONGODB_DB`, `must be ${db}`);
  }
  const ops = Number(env.OPS_PORT ?? YTM[name].ops);
  const test = [].concat(svc.healthcheck?.test ?? []).join(' ');
  if (!test.includes(`127.0.0.1:${ops}/ready`))
    err(`${at}.healthcheck.test`, `should call GET http://127.0.0.1:${ops}/ready (the ops listener; /ready is not on the public port)`);
  if (containerPorts(svc.ports).includes(ops)) err(`${at}.ports`, `publishes the ops port ${ops} (/metrics, /health details, /ready are for operators only)`);
  if (svc.ports !== undefined && containerPorts(svc.ports).length)
    err(`${at}.ports`, 'only the edge is published; the services are reached on the compose network');
  // Inside a container 127.0.0.1/localhost is the container itself: every URL to another service must use its name.
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string' && /^(\w+:\/\/)?(127\.0\.0\.1|localhost)(:|\/|$)/.test(v) && !['PUBLIC_URL', 'OPS_HOST'].includes(k))
      err(`${at}.environment.${k}`, `${v} is this container itself, not the service it names`);
  }
  if (['router', 'library', 'stream'].includes(name) && !/^http:\/\/resource:4002\//.test(env.JWKS_URL ?? ''))
    err(
      `${at}.environment.JWKS_URL`,
      'must be http://resource:4002/.well-known/jwks.json (its default, 127.0.0.1, is the container itself: no token would verify)',
    );
  if (['router', 'library', 'stream'].includes(name)) {
    const url = env.PUBLIC_URL ?? '';
    if (!url || /^https?:\/\/(library|resource|stream|router|mongo|kafka)(:|\/|$)/.test(url))
      err(`${at}.environment.PUBLIC_URL`, `must be the URL browsers reach the router at (image and ticket URLs are built on it), got "${url}"`);
    publicUrls.add(url);
  }
  if (name === 'library') {
    if (!env.ART_DIR || !mountTargets(svc.volumes).some((t) => t.target === env.ART_DIR && t.named))
      err(`${at}.volumes`, 'ART_DIR must be a named volume: the database refers to the cover files, which must outlive the container');
  }
  if (name === 'library' || name === 'stream') {
    const musicMount = mountTargets(svc.volumes).find((t) => t.target === (env.MUSIC_DIR ?? '/music'));
    if (!musicMount) err(`${at}.volumes`, `mount the music folder at MUSIC_DIR (${env.MUSIC_DIR ?? '/music'})`);
    else if (!musicMount.readOnly) err(`${at}.volumes`, 'mount the music folder read-only (:ro)');
  }
  if (/\bcurl\b|\bwget\b/.test(test)) err(`${at}.healthcheck.test`, 'node:20-bookworm-slim has neither curl nor wget; use node -e fetch(...)');
}

/** The mounts of a service's `volumes`: target path, named volume or not, read-only or not. */
function mountTargets(volumes) {
  if (!Array.isArray(volumes)) return [];
  return volumes.map((v) => {
    if (isMap(v)) return { target: v.target, named: v.type === 'volume', readOnly: v.read_only === true };
    const [source, target, mode = ''] = String(v).split(':');
    return { target: target ?? source, named: target !== undefined && !/^[./~]/.test(source) && !isAbsolute(source), readOnly: mode.split(',').includes('ro') };
  });
}

function checkCycles() {
  const deps = (n) => (Array.isArray(services[n]?.depends_on) ? services[n].depends_on : Object.keys(services[n]?.depends_on ?? {}));
  const state = new Map();
  const visit = (n, path) => {
    if (state.get(n) === 'done' || !services[n]) return;
    if (state.get(n) === 'visiting') return err('depends_on', `cycle: ${[...path, n].join(' -> ')}`);
    state.set(n, 'visiting');
    for (const d of deps(n)) visit(d, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of Object.keys(services)) visit(n, []);
}

function interpolate(v) {
  if (typeof v === 'string') {
    return v.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name, colon, op, arg, bare) => {
      if (m === '$$') return '$';
      const value = process.env[name ?? bare];
      const unset = value === undefined || (colon === ':' && value === '');
      if (op === '-') return unset ? arg : value;
      if (op === '+') return unset ? '' : arg;
      if (op === '?') return unset ? `<${name}>` : value; // required at run time; not this check's business
      if (value === undefined) warnings.push(`variable ${name ?? bare} is not set and has no default: compose substitutes "" (write $$ for a literal $)`);
      return value ?? '';
    });
  }
  if (Array.isArray(v)) return v.map(interpolate);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x)]));
  return v;
}

/** `$` must start ${VAR}, ${VAR:-default}, ${VAR:?message}, $VAR, or be escaped as $$. */
function checkInterpolation(spec) {
  const used = new Set();
  const walk = (v, path) => {
    if (typeof v === 'string') {
      const stripped = v.replace(/\$\$/g, '');
      for (const m of stripped.matchAll(/\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|.?)/g)) {
        const ok = /^\$\{[A-Za-z_][A-Za-z0-9_]*((:?[-?+])[^}]*)?\}$/.test(m[0]) || /^\$[A-Za-z_]/.test(m[0]);
        if (!ok) err(path, `bad interpolation "${m[0]}" (write $$ for a literal $)`);
        else used.add(/[A-Za-z_][A-Za-z0-9_]*/.exec(m[0].slice(1))[0]);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (isMap(v)) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(spec, '');
  return used;
}

/** compose.scale.yml sets the YTM services' replicas and nothing else (the edge and the stores stay single). */
function checkScaleOverride(path) {
  if (!existsSync(path)) return;
  const at = path.slice(root.length + 1);
  const o = parseDocument(readFileSync(path, 'utf8'), { merge: true }).toJS({ maxAliasCount: 100 });
  for (const key of Object.keys(o ?? {})) if (key !== 'services' && !isExtension(key)) err(`${at}: ${key}`, 'the scale file changes services only');
  for (const [name, svc] of Object.entries(o?.services ?? {})) {
    if (!YTM[name]) err(`${at}: services.${name}`, 'only YTM services are scaled (one edge, one MongoDB, one Kafka)');
    const replicas = svc?.deploy?.replicas;
    if (Object.keys(svc ?? {}).join() !== 'deploy' || Object.keys(svc.deploy ?? {}).join() !== 'replicas' || !Number.isInteger(replicas) || replicas < 1)
      err(`${at}: services.${name}`, 'may only set deploy.replicas (a positive integer)');
  }
}

/** The compose test's override changes only what the test machine cannot have: the stores' and the edge's images, the base image. */
function checkTestOverride(path) {
  if (!existsSync(path)) return;
  const at = path.slice(root.length + 1);
  const o = parseDocument(readFileSync(path, 'utf8'), { merge: true }).toJS({ maxAliasCount: 100 });
  const allowed = { mongo: ['image', 'pull_policy', 'command', 'healthcheck'], kafka: ['image', 'pull_policy'], edge: ['image', 'pull_policy'] };
  for (const key of Object.keys(o ?? {})) if (key !== 'services' && !isExtension(key)) err(`${at}: ${key}`, 'the override changes services only');
  for (const [name, svc] of Object.entries(o?.services ?? {})) {
    if (!services[name]) err(`${at}: services.${name}`, 'is not a service of docker-compose.yml');
    const keys = Object.keys(svc ?? {});
    if (YTM[name]) {
      const args = Object.keys(svc?.build?.args ?? {});
      if (
        keys.some((k) => k !== 'build') ||
        Object.keys(svc.build ?? {}).some((k) => k !== 'args') ||
        args.some((a) => !['NODE_IMAGE', 'NODE_EXTRA_CA_CERTS'].includes(a))
      )
        err(`${at}: services.${name}`, 'may only set build.args NODE_IMAGE and NODE_EXTRA_CA_CERTS');
    } else {
      for (const k of keys) if (!allowed[name]?.includes(k)) err(`${at}: services.${name}.${k}`, 'not something the test may change');
    }
    // podman-compose 1.0.3 concatenates lists when merging files: an override must not restate one.
    for (const [k, v] of Object.entries(svc ?? {}))
      if (Array.isArray(v) || Array.isArray(v?.test))
        err(`${at}: services.${name}.${k}`, 'lists are appended by podman-compose 1.0.3, not replaced: use a string');
  }
}

/** Every image runs as a non-root user: the Dockerfile's last USER is neither root nor 0. */
function checkDockerfileUser() {
  const dockerfile = join(baseDir, 'Dockerfile');
  if (!existsSync(dockerfile)) return;
  const users = [...readFileSync(dockerfile, 'utf8').matchAll(/^\s*USER\s+(\S+)/gm)].map((m) => m[1]);
  const last = users.at(-1);
  if (!last || /^(root|0)(:|$)/.test(last)) err('Dockerfile', `the runtime stage must end with a non-root USER (got ${last ?? 'none'})`);
}

/** A real compose implementation, when one is installed; never required. */
function composeCli() {
  for (const [cmd, args] of [
    ['docker', ['compose']],
    ['docker-compose', []],
  ]) {
    try {
      execFileSync(cmd, [...args, 'version'], { stdio: 'ignore', timeout: 10_000 });
      return [cmd, args];
    } catch {
      /* not installed */
    }
  }
  return undefined;
}

const cli = composeCli();
let cliNote = 'no docker compose CLI found, parsed checks only';
if (cli && errors.length === 0) {
  try {
    execFileSync(cli[0], [...cli[1], '-f', file, 'config', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    cliNote = `${[cli[0], ...cli[1]].join(' ')} config -q: ok`;
  } catch (e) {
    err('docker compose config', (e.stderr || e.message).trim());
  }
}

const rel = file.startsWith(root) ? file.slice(root.length + 1) : file;
for (const w of new Set(warnings)) console.warn(`${rel}: warning: ${w}`);
if (errors.length) {
  console.error(`${rel}: ${errors.length} problem(s)\n  - ${errors.join('\n  - ')}`);
  process.exit(1);
}
console.log(`${rel}: ok (${Object.keys(services).length} services; variables: ${variables.join(', ') || 'none'}; ${cliNote})`);
