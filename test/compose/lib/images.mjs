// The images the compose test runs, all built on this machine (no image registry is reachable):
// - localhost/ytm-base: Debian trixie minbase with Debian's nodejs (20.19), from debootstrap; its
//   root file system is kept as a tarball in the cache, the image in the cache's image store;
// - localhost/ytm-test-ferretdb and localhost/ytm-test-kafka: the stand-ins for the official MongoDB
//   and Kafka images, from the FerretDB binary and Kafka jars infra/ installs (same versions) and a
//   Java runtime made with jlink from the machine's JDK;
// - localhost/ytm-test-haproxy: the stand-in for the official haproxy image of the edge, Debian's
//   haproxy package of the same version line (checked) on ytm-base;
// - the YTM service images: the repository's Dockerfile on ytm-base (podman-compose build).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from '../../../infra/infra.mjs';
import { FERRETDB_VERSION, KAFKA_VERSION, ferretdbBin, kafkaLibs } from '../../../infra/lib/paths.mjs';
import { CACHE, podman, run } from './podman.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BASE_IMAGE = 'localhost/ytm-base:trixie';
export const FERRETDB_IMAGE = `localhost/ytm-test-ferretdb:${FERRETDB_VERSION}`;
export const KAFKA_IMAGE = `localhost/ytm-test-kafka:${KAFKA_VERSION}`;
/** The version line of the production file's edge image (`haproxy:3.0`), which the stand-in must match. */
export const EDGE_VERSION = /^\s+image: haproxy:(\S+)\s*$/m.exec(readFileSync(join(HERE, '..', '..', '..', 'docker-compose.yml'), 'utf8'))?.[1];
if (!EDGE_VERSION) throw new Error('docker-compose.yml: the edge service should run an official haproxy:<version> image');
export const EDGE_IMAGE = `localhost/ytm-test-haproxy:${EDGE_VERSION}`;
const DEBOOTSTRAP = ['--variant=minbase', '--include=nodejs', 'trixie'];
const MIRROR = process.env.YTM_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
// Kafka runs headless; java.desktop only because log4j 1.x uses java.beans.
const JRE_MODULES =
  'java.base,java.desktop,java.logging,java.management,java.naming,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs';

async function imageExists(env, image) {
  const { code } = await run('podman', ['image', 'exists', image], { env, capture: true, allowFail: true });
  return code === 0;
}

/** localhost/ytm-base: debootstrap once (tarball cached), import when the store lacks it. */
export const BASE_TARBALL = join(CACHE, `rootfs-${DEBOOTSTRAP.join(' ').replace(/[^a-z0-9]+/gi, '-')}.tar`);

export async function ensureBaseImage(env, log) {
  if (await imageExists(env, BASE_IMAGE)) return log(`${BASE_IMAGE}: cached`);
  const tarball = BASE_TARBALL;
  if (!existsSync(tarball)) {
    const dir = mkdtempSync(join(tmpdir(), 'ytm-rootfs-'));
    try {
      log(`debootstrap ${DEBOOTSTRAP.join(' ')} (about half a minute to a few minutes, once)`);
      await run('debootstrap', [...DEBOOTSTRAP, dir, MIRROR], { capture: true });
      await slim(dir);
      await run('tar', ['-C', dir, '-cf', `${tarball}.tmp`, '.'], { capture: true });
      renameSync(`${tarball}.tmp`, tarball);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log(`importing ${BASE_IMAGE}`);
  await run('podman', ['import', '--change', 'CMD ["node"]', tarball, BASE_IMAGE], { env, capture: true });
}

/** What a container never reads: apt's package cache and lists, documentation, manuals, translations. */
async function slim(dir) {
  await run('sh', ['-c', 'rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/*'], {
    cwd: dir,
    capture: true,
  });
  // Packages installed later (ffmpeg in the stream image) skip them too.
  mkdirSync(join(dir, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
  writeFileSync(
    join(dir, 'etc/dpkg/dpkg.cfg.d/ytm-slim'),
    ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*'].map((p) => `path-exclude=${p}\n`).join(''),
  );
}

/** A jlink'd Java runtime from the machine's JDK, cached. */
async function ensureJre(log) {
  const jre = join(CACHE, 'jre');
  if (existsSync(join(jre, 'bin', 'java'))) return jre;
  const javaHome = process.env.JAVA_HOME ?? dirname(dirname(realpathSync(await which('java'))));
  const jlink = join(javaHome, 'bin', 'jlink');
  if (!existsSync(jlink)) throw new Error(`${jlink} not found: the Kafka test image needs a JDK (set JAVA_HOME)`);
  log(`jlink: a Java runtime for the Kafka test image from ${javaHome}`);
  rmSync(`${jre}.tmp`, { recursive: true, force: true });
  await run(jlink, ['--add-modules', JRE_MODULES, '--strip-debug', '--no-header-files', '--no-man-pages', '--compress=2', '--output', `${jre}.tmp`], {
    capture: true,
  });
  renameSync(`${jre}.tmp`, jre);
  return jre;
}

async function which(cmd) {
  const { out } = await run('sh', ['-c', `command -v ${cmd}`], { capture: true });
  return out.trim();
}

/**
 * The FerretDB and Kafka stand-ins, built from infra's installed binaries (installing them if
 * missing) and the jlink'd runtime; those inputs are made while `base` (the base image) is on its way.
 */
export async function ensureInfraImages(env, log, base = Promise.resolve()) {
  const need = [];
  if (!(await imageExists(env, FERRETDB_IMAGE))) need.push('ferretdb');
  if (!(await imageExists(env, KAFKA_IMAGE))) need.push('kafka');
  if (!(await imageExists(env, EDGE_IMAGE))) need.push('haproxy');
  if (!need.length) return log(`${FERRETDB_IMAGE}, ${KAFKA_IMAGE}, ${EDGE_IMAGE}: cached`);
  if (need.includes('ferretdb') || need.includes('kafka')) await ensureInstalled({ log: (m) => log(`[infra] ${m}`) });
  const jre = need.includes('kafka') ? await ensureJre(log) : undefined;
  await base;
  const ctx = mkdtempSync(join(tmpdir(), 'ytm-image-'));
  try {
    if (need.includes('ferretdb')) {
      const dir = join(ctx, 'ferretdb');
      cpSync(join(HERE, '..', 'images', 'ferretdb'), dir, { recursive: true });
      cpSync(ferretdbBin(), join(dir, 'ferretdb'));
      log(`building ${FERRETDB_IMAGE}`);
      await run('podman', ['build', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', FERRETDB_IMAGE, dir], { env, capture: true });
    }
    if (need.includes('kafka')) {
      const dir = join(ctx, 'kafka');
      cpSync(join(HERE, '..', 'images', 'kafka'), dir, { recursive: true });
      cpSync(kafkaLibs(), join(dir, 'libs'), { recursive: true });
      cpSync(jre, join(dir, 'jre'), { recursive: true });
      log(`building ${KAFKA_IMAGE}`);
      await run('podman', ['build', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', KAFKA_IMAGE, dir], { env, capture: true });
    }
    if (need.includes('haproxy')) await buildEdgeImage(env, log, ctx);
    log(`${need.join(', ')} stand-in image${need.length > 1 ? 's' : ''} built`);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** Debian's haproxy on the base; refused (and removed) unless it is the production file's version line. */
async function buildEdgeImage(env, log, ctx) {
  const dir = join(ctx, 'haproxy');
  cpSync(join(HERE, '..', 'images', 'haproxy'), dir, { recursive: true });
  log(`building ${EDGE_IMAGE} (Debian's haproxy package)`);
  const tmp = `${EDGE_IMAGE}-candidate`;
  await run('podman', ['build', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', tmp, dir], { env, capture: true });
  const version = (await podman(env, ['run', '--rm', tmp, 'haproxy', '-v'])).split('\n')[0] ?? '';
  if (!version.startsWith(`HAProxy version ${EDGE_VERSION}.`)) {
    await run('podman', ['rmi', tmp], { env, capture: true, allowFail: true });
    throw new Error(`Debian's haproxy is "${version}", not the ${EDGE_VERSION} line docker-compose.yml runs: change the edge's image tag to match`);
  }
  await podman(env, ['tag', tmp, EDGE_IMAGE]);
  await run('podman', ['rmi', tmp], { env, capture: true, allowFail: true });
  log(`${EDGE_IMAGE}: ${version}`);
}

/** Image sizes as podman reports them, for the log and the README. */
export async function imageSizes(env, images) {
  const rows = [];
  for (const image of images) {
    const out = await podman(env, ['image', 'inspect', image, '--format', '{{.Size}}'], { allowFail: true });
    rows.push({ image, mb: Math.round(Number(out.trim()) / 1e5) / 10 });
  }
  return rows;
}
