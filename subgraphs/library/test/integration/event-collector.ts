import { createKafka, startConsumer, TOPICS, type Envelope, type RunningConsumer } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';

/** Reads ytm.library.events from the moment it joined (a group of its own) and keeps every envelope. */
export class EventCollector {
  readonly events: Envelope[] = [];
  private consumer: RunningConsumer | undefined;

  async start(): Promise<void> {
    const logger = createLogger({ name: 'event-collector', level: 'silent' });
    const kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: uniqueName('collector'), logger });
    this.consumer = startConsumer({
      kafka,
      groupId: uniqueName('collector'),
      topics: [TOPICS.library],
      logger,
      handle: async (event) => {
        this.events.push(event);
      },
    });
    await waitFor(() => this.consumer?.joined, 30_000, 100, 'collector joined');
  }

  of(subject: string, type?: string): Envelope[] {
    return this.events.filter((e) => e.subject === subject && (type === undefined || e.type === type));
  }

  waitFor(subject: string, type: string, predicate: (e: Envelope) => boolean = () => true): Promise<Envelope> {
    return waitFor(() => this.of(subject, type).find(predicate), 20_000, 100, `${type} for ${subject}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
