import { Kafka, logLevel, Partitioners, type KafkaConfig, type Producer, type Message, type LogEntry } from 'kafkajs';
import type { Logger } from '@ytm/logger';

export interface CreateKafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  connectionTimeoutMs?: number;
}

/** A kafkajs client whose logs go to our structured logger and whose retries are bounded. */
export function createKafka({ brokers, clientId, logger, connectionTimeoutMs = 3_000 }: CreateKafkaOptions): Kafka {
  const log = logger.child({ component: 'kafka' });
  const config: KafkaConfig = {
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: 10_000,
    // Explicit, so NODE_ENV=test (which kafkajs reads) cannot change behaviour.
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // kafkajs logs retriable protocol errors (coordinator not yet available, leader moved) at
        // ERROR and then retries; failures that matter surface where our code awaits kafkajs.
        if (level <= logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  };
  return new Kafka(config);
}

export class PublishTimeoutError extends Error {
  constructor(ms: number) {
    super(`kafka send did not complete within ${ms} ms`);
  }
}

export class PublisherClosedError extends Error {
  constructor() {
    super('the event publisher is closed');
  }
}

/**
 * Sends messages with a hard deadline. The producer connects lazily and reconnects after
 * failures, so a broker outage only delays publishing.
 */
export class EventPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  /** The producer `connecting` is connecting, so that close() can disconnect it too. */
  private pending: Producer | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly sendTimeoutMs = 5_000,
  ) {}

  async send(topic: string, messages: Message[]): Promise<void> {
    const producer = await withTimeout(this.connect(), this.sendTimeoutMs);
    try {
      await withTimeout(producer.send({ topic, messages, acks: -1 }), this.sendTimeoutMs);
    } catch (err) {
      // Start over with a fresh connection next time; kafkajs may be stuck retrying.
      this.reset();
      throw err;
    }
  }

  /** Resolves when a broker accepts a metadata request (readiness probe). */
  async ping(timeoutMs = 2_000): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await withTimeout(
        (async () => {
          await admin.connect();
          await admin.listTopics();
        })(),
        timeoutMs,
      );
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Disconnects, a connection still being made included; every later send() rejects at once. (A
   * relay pass still running at shutdown used to connect a new producer after close, left open.)
   */
  async close(): Promise<void> {
    this.closed = true;
    const producers = [this.producer, this.pending].filter((p): p is Producer => p !== undefined);
    this.producer = undefined;
    this.pending = undefined;
    this.connecting = undefined;
    await Promise.all(producers.map((p) => withTimeout(p.disconnect(), 2_000).catch(() => undefined)));
  }

  private connect(): Promise<Producer> {
    if (this.closed) return Promise.reject(new PublisherClosedError());
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const p = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: true,
        retry: { retries: 2, maxRetryTime: 2_000 },
      });
      this.pending = p;
      try {
        await p.connect();
        if (this.closed) throw new PublisherClosedError();
      } catch (err) {
        if (this.pending === p) {
          this.pending = undefined;
          this.connecting = undefined;
        }
        void p.disconnect().catch(() => undefined);
        throw err;
      }
      this.pending = undefined;
      this.producer = p;
      this.connecting = undefined;
      return p;
    })();
    return this.connecting;
  }

  private reset(): void {
    const p = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    if (p) void p.disconnect().catch(() => undefined);
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
