// Kafka in KRaft mode, one node acting as broker and controller, run straight from the cached jars.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { launch } from './handle.mjs';
import { kafkaHome, kafkaLibs } from './paths.mjs';
import { portOpen, startProcess } from './proc.mjs';

export const kafkaBrokers = (port) => `127.0.0.1:${port}`;

let kafkajs;
const loadKafkajs = async () => (kafkajs ??= (await import('kafkajs')).default);

async function withAdmin(brokers, fn, { timeoutMs = 3_000 } = {}) {
  const { Kafka, logLevel } = await loadKafkajs();
  const kafka = new Kafka({
    clientId: 'ytm-infra',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True when the broker answers a metadata request (kafkajs admin listTopics). */
export const kafkaAnswers = (brokers, timeoutMs) => withAdmin(brokers, async (admin) => Array.isArray(await admin.listTopics()), { timeoutMs });

/** Creates the topics that do not exist yet; existing ones are left untouched. */
export async function ensureTopics(brokers, topics, { numPartitions = 3, replicationFactor = 1 } = {}) {
  return withAdmin(
    brokers,
    async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })) });
      }
      await awaitGroupCoordinator(admin);
      return missing;
    },
    { timeoutMs: 10_000 },
  );
}

/**
 * A fresh broker creates its offsets topic on the first group-coordinator lookup; until that is
 * done every consumer's join fails and kafkajs logs warnings. Do the lookup here, so services
 * start against a broker that is ready for consumer groups.
 */
async function awaitGroupCoordinator(admin, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.describeGroups(['ytm-infra-probe']);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Kafka group coordinator not available after ${timeoutMs / 1000}s: ${err.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function serverProperties({ port, controllerPort, logDirs }) {
  return `# Written by infra/infra.mjs on every start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDirs}
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
# 50 partitions by default: creating them on the first consumer group join costs seconds.
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# After a crash the restarted broker cannot register until the old session expires (default 9 s).
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
log.retention.hours=168
log.segment.bytes=16777216
`;
}

function log4jProperties(logFile) {
  return `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${logFile}
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
log4j.logger.kafka.log=WARN
`;
}

/** Class-data-sharing archive of Kafka's classes (built at install): ~0.5-0.7 s off every JVM start. */
export const kafkaCdsArchive = () => join(kafkaHome(), 'kafka-cds.jsa');

function javaArgs({ configDir, logFile, heap }) {
  const cds = kafkaCdsArchive();
  return [
    // An archive from another JDK build is ignored with a warning in the log (-Xshare:auto).
    ...(existsSync(cds) ? ['-Xshare:auto', `-XX:SharedArchiveFile=${cds}`] : []),
    `-Xmx${heap}`,
    `-Xms${heap === '512m' ? '128m' : heap}`,
    // A dev broker: serial GC and C1 only start faster and use less CPU than Kafka's G1 defaults.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(configDir, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${dirname(logFile)}`,
    '-cp',
    `${kafkaLibs()}/*`,
  ];
}

/** Kafka's Uuid text form; like Uuid.randomUuid() it never starts with '-', which the CLI would take for a flag. */
function clusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Starts a single-node KRaft Kafka with config, metadata and logs under dataDir (formatted on
 * first start only); resolves once it answers admin listTopics.
 */
export async function startKafka({ port, controllerPort, dataDir, logFile, detached = false, pidFile, heap = '512m', jvmArgs = [], timeoutMs = 60_000 }) {
  const dir = resolve(dataDir);
  const logDirs = join(dir, 'data');
  const log = logFile ?? join(dir, 'kafka.log');
  const props = join(dir, 'server.properties');
  mkdirSync(logDirs, { recursive: true });
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(props, serverProperties({ port, controllerPort, logDirs }));
  writeFileSync(join(dir, 'log4j.properties'), log4jProperties(log));
  const jvm = [...jvmArgs, ...javaArgs({ configDir: dir, logFile: log, heap })];
  if (!existsSync(join(logDirs, 'meta.properties'))) {
    await promisify(execFile)('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props, '--ignore-formatted']).catch((err) => {
      throw new Error(`kafka storage format failed: ${err.stderr || err.message}`);
    });
  }
  const brokers = kafkaBrokers(port);
  return launch({
    name: `Kafka (127.0.0.1:${port})`,
    logFile: log,
    pidFile,
    timeoutMs,
    props: { kind: 'kafka', brokers, port, controllerPort, dataDir: dir },
    spawnOnce: () => startProcess('java', [...jvm, 'kafka.Kafka', props], { logFile: log, detached }),
    isReady: async () => (await portOpen(port)) && kafkaAnswers(brokers, 2_000),
  });
}
