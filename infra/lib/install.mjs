// Installs FerretDB (built from the Go module proxy) and the Kafka jars (Maven Central) into the cache.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, cpSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './lock.mjs';
import { kafkaCdsArchive, startKafka } from './kafka.mjs';
import { getFreePorts, tail } from './proc.mjs';
import { cacheDir, ferretdbBin, idIndexBin, kafkaHome, kafkaLibs, FERRETDB_VERSION, KAFKA_VERSION, SCALA_VERSION, SLF4J_VERSION } from './paths.mjs';

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const HEARTBEAT_MS = 10_000;

const stampFile = (dir) => join(dir, '.ytm-installed');
const readStamp = (dir) => (existsSync(stampFile(dir)) ? readFileSync(stampFile(dir), 'utf8').trim() : '');

const idIndexSource = join(dirname(fileURLToPath(import.meta.url)), '..', 'sqlite-id-index', 'main.go');
const idIndexStampFile = () => join(cacheDir(), 'bin', '.ytm-sqlite-id-index');
// The stamp names the source's hash, so a changed helper is rebuilt (its own stamp: FerretDB's stays as is).
const idIndexStamp = () =>
  `ytm-sqlite-id-index ${createHash('sha256').update(readFileSync(idIndexSource)).digest('hex').slice(0, 16)} ferretdb ${FERRETDB_VERSION}`;
const idIndexInstalled = () => existsSync(idIndexBin()) && existsSync(idIndexStampFile()) && readFileSync(idIndexStampFile(), 'utf8').trim() === idIndexStamp();
export const ferretdbInstalled = () => existsSync(ferretdbBin()) && readStamp(join(cacheDir(), 'bin')) === `ferretdb ${FERRETDB_VERSION}` && idIndexInstalled();
export const kafkaInstalled = () =>
  existsSync(join(kafkaLibs(), `kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`)) && readStamp(kafkaLibs()) === `kafka ${KAFKA_VERSION}`;

/** Installs whatever is missing; a no-op when both are cached. Returns the names it installed. */
export async function ensureInstalled({ log = () => {}, only = ['ferretdb', 'kafka'] } = {}) {
  const missing = () => only.filter((c) => !(c === 'ferretdb' ? ferretdbInstalled() : kafkaInstalled()));
  if (missing().length === 0 && !(only.includes('kafka') && kafkaCdsMissing())) return [];
  return withLock(join(cacheDir(), 'install.lock'), { what: 'install', log }, async () => {
    const todo = missing(); // someone may have installed it while we waited
    const started = Date.now();
    await Promise.all(todo.map((c) => (c === 'ferretdb' ? installFerretDBAndIdIndex(log) : installKafka(log))));
    if (only.includes('kafka') && kafkaCdsMissing()) await buildKafkaCds(log);
    if (todo.length) log(`install done in ${secs(started)}s (cache: ${cacheDir()})`);
    return todo;
  });
}

const secs = (since) => ((Date.now() - since) / 1000).toFixed(1);

function requireTool(cmd, args, hint) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new Error(`${cmd} not found or not working: ${hint}`);
  }
}

/** Runs a build step quietly into logFile, printing a heartbeat so a long first install never looks stuck. */
function runStep(label, cmd, args, { cwd, env, logFile, log }) {
  const started = Date.now();
  const fd = openSync(logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const beat = setInterval(() => log(`  ... ${label}: still working (${secs(started)}s)`), HEARTBEAT_MS);
    child.once('error', (err) => {
      clearInterval(beat);
      reject(err);
    });
    child.once('exit', (code) => {
      clearInterval(beat);
      if (code === 0) resolve(Date.now() - started);
      else reject(new Error(`${label} failed (exit ${code}); log ${logFile}:\n${tail(logFile, 25)}`));
    });
  });
}

async function installFerretDBAndIdIndex(log) {
  if (!(existsSync(ferretdbBin()) && readStamp(join(cacheDir(), 'bin')) === `ferretdb ${FERRETDB_VERSION}`)) await installFerretDB(log);
  // After FerretDB: the helper links the same modernc.org/sqlite, so Go's build cache makes it quick.
  if (!idIndexInstalled()) await installIdIndex(log);
}

/** FerretDB's module, downloaded (or found in the module cache) by the Go toolchain; returns its directory. */
async function ferretdbModuleDir(work, env) {
  const { stdout } = await promisify(execFile)('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@v${FERRETDB_VERSION}`], {
    cwd: work,
    env: { ...process.env, ...env },
  }).catch((err) => ({ stdout: err.stdout || JSON.stringify({ Error: err.message }) }));
  const { Dir: moduleDir, Error: modError } = JSON.parse(stdout);
  if (!moduleDir) throw new Error(`go mod download failed: ${modError}`);
  return moduleDir;
}

/**
 * Builds infra/sqlite-id-index (see its comment) inside a copy of FerretDB's go.mod/go.sum, so it
 * links exactly the SQLite driver FerretDB uses, with no other download.
 */
async function installIdIndex(log) {
  requireTool('go', ['version'], 'install Go >= 1.22 (https://go.dev/dl), or point MONGODB_URL at an existing MongoDB');
  const started = Date.now();
  const binDir = join(cacheDir(), 'bin');
  const work = join(cacheDir(), 'build', `ytm-sqlite-id-index-${process.pid}`);
  const logFile = join(cacheDir(), 'build', 'ytm-sqlite-id-index.log');
  mkdirSync(join(work, 'cmd', 'ytm-sqlite-id-index'), { recursive: true });
  writeFileSync(logFile, '');
  const env = { GOFLAGS: '', GOWORK: 'off', CGO_ENABLED: '0' };
  try {
    const moduleDir = await ferretdbModuleDir(work, env);
    for (const f of ['go.mod', 'go.sum']) writeFileSync(join(work, f), readFileSync(join(moduleDir, f)));
    writeFileSync(join(work, 'cmd', 'ytm-sqlite-id-index', 'main.go'), readFileSync(idIndexSource));
    const tmpBin = join(binDir, `ytm-sqlite-id-index.tmp-${process.pid}`);
    await runStep('go build ytm-sqlite-id-index', 'go', ['build', '-trimpath', '-o', tmpBin, './cmd/ytm-sqlite-id-index'], { cwd: work, env, logFile, log });
    renameSync(tmpBin, idIndexBin());
    writeFileSync(idIndexStampFile(), `${idIndexStamp()}\n`);
    log(`ytm-sqlite-id-index ready at ${idIndexBin()} (${secs(started)}s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function installFerretDB(log) {
  requireTool('go', ['version'], 'install Go >= 1.22 (https://go.dev/dl), or point MONGODB_URL at an existing MongoDB');
  const started = Date.now();
  log(`building FerretDB ${FERRETDB_VERSION} with go (first time, ~1-2 min)...`);
  const binDir = join(cacheDir(), 'bin');
  const work = join(cacheDir(), 'build', `ferretdb-${FERRETDB_VERSION}-${process.pid}`);
  const logFile = join(cacheDir(), 'build', `ferretdb-${FERRETDB_VERSION}.log`);
  mkdirSync(binDir, { recursive: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(logFile, '');
  // GOFLAGS/GOWORK from the user's shell must not change how a pinned upstream module builds.
  const env = { GOFLAGS: '', GOWORK: 'off', CGO_ENABLED: '0' };
  try {
    const moduleDir = await ferretdbModuleDir(work, env);
    // `go install ...@v1.24.2` yields a binary that panics at start: it expects
    // build/version/version.txt, which the release pipeline generates and the module zip lacks.
    // So we build from a writable copy of the module with that file added.
    const src = join(work, 'src');
    cpSync(moduleDir, src, { recursive: true });
    makeWritable(src);
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
    writeFileSync(join(src, 'build', 'version', 'package.txt'), 'ytm-local\n');
    const tmpBin = join(binDir, `ferretdb.tmp-${process.pid}`);
    await runStep('go build ferretdb', 'go', ['build', '-trimpath', '-o', tmpBin, './cmd/ferretdb'], { cwd: src, env, logFile, log });
    const version = execFileSync(tmpBin, ['--version'], { encoding: 'utf8' });
    if (!version.includes(`v${FERRETDB_VERSION}`)) throw new Error(`built ferretdb reports an unexpected version:\n${version}`);
    renameSync(tmpBin, ferretdbBin());
    writeFileSync(stampFile(binDir), `ferretdb ${FERRETDB_VERSION}\n`);
    log(`FerretDB ${FERRETDB_VERSION} ready at ${ferretdbBin()} (${secs(started)}s)`);
  } finally {
    makeWritable(work);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Module cache files are read-only; without this neither writing version.txt nor cleanup works as non-root. */
function makeWritable(dir) {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) chmodSync(p, statSync(p).mode | 0o200);
  }
}

function kafkaPom() {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ytm</groupId><artifactId>kafka-local</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${SCALA_VERSION}</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${SLF4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;
}

async function installKafka(log) {
  requireTool('java', ['-version'], 'install a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless), or point KAFKA_BROKERS at an existing Kafka');
  requireTool('mvn', ['-v'], 'install Maven 3 (e.g. apt-get install maven), or point KAFKA_BROKERS at an existing Kafka');
  const started = Date.now();
  log(`fetching Kafka ${KAFKA_VERSION} jars from Maven Central with mvn (first time, ~10-30 s)...`);
  const home = kafkaHome();
  const tmpLibs = join(home, `libs.tmp-${process.pid}`);
  const logFile = join(home, 'mvn.log');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), kafkaPom());
  writeFileSync(logFile, '');
  rmSync(tmpLibs, { recursive: true, force: true });
  try {
    const args = ['-q', '-B', '-f', join(home, 'pom.xml'), `${DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${tmpLibs}`, '-DincludeScope=runtime'];
    await runStep('mvn copy-dependencies', 'mvn', args, { cwd: home, logFile, log });
    if (!existsSync(join(tmpLibs, `kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`))) throw new Error(`mvn finished but the Kafka jar is missing; see ${logFile}`);
    writeFileSync(stampFile(tmpLibs), `kafka ${KAFKA_VERSION}\n`);
    rmSync(kafkaLibs(), { recursive: true, force: true });
    renameSync(tmpLibs, kafkaLibs());
    log(`Kafka ${KAFKA_VERSION} jars ready in ${kafkaLibs()} (${secs(started)}s)`);
  } finally {
    rmSync(tmpLibs, { recursive: true, force: true });
  }
}

const cdsFailedMarker = () => join(kafkaHome(), 'kafka-cds.failed');
const kafkaCdsMissing = () => !existsSync(kafkaCdsArchive()) && !existsSync(cdsFailedMarker());

/**
 * Runs a throwaway broker once with -XX:ArchiveClassesAtExit, so later JVMs map Kafka's classes
 * instead of loading them. Optional: on failure we note it and start without the archive.
 */
async function buildKafkaCds(log) {
  const started = Date.now();
  log('building the Kafka class-data archive for faster starts (once, ~5 s)...');
  const work = join(cacheDir(), 'build', `kafka-cds-${process.pid}`);
  const tmpArchive = join(kafkaHome(), `kafka-cds.jsa.tmp-${process.pid}`);
  try {
    const [port, controllerPort] = await getFreePorts(2);
    const broker = await startKafka({ port, controllerPort, dataDir: work, jvmArgs: [`-XX:ArchiveClassesAtExit=${tmpArchive}`] });
    await broker.stop(); // the archive is written as the JVM exits
    if (!existsSync(tmpArchive)) throw new Error('the JVM exited without writing the archive');
    renameSync(tmpArchive, kafkaCdsArchive());
    log(`Kafka class-data archive ready (${secs(started)}s)`);
  } catch (err) {
    writeFileSync(cdsFailedMarker(), `${err.message}\n`);
    log(`warning: no Kafka class-data archive (${err.message}); Kafka still works, it just starts a bit slower`);
  } finally {
    rmSync(tmpArchive, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
