import { randomUUID } from 'node:crypto';

/**
 * Where the real FerretDB and Kafka of the test run are (started by `npm test` through infra/,
 * or given by MONGODB_URL / KAFKA_BROKERS).
 */
export function infraEnv(): { mongodbUrl: string; kafkaBrokers: string[] } {
  return {
    mongodbUrl: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  };
}

/** A database or consumer-group name no other test uses, so test files can run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}
