import { createEnvelope, topicOf, type EventCatalog, type EventPublisher, type Serialized } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { ScanStatus } from '../domain/model.js';
import { EVENT_SOURCE } from '../persistence/library.repository.js';

export const SCAN_SUBJECT = 'library-scan';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The event's data: exactly the domain's ScanStatus as JSON (when the two drift apart, this is `never` and fails to compile). */
type ScanProgressData = Same<Serialized<ScanStatus>, EventCatalog['library.scan.progress']> extends true ? Serialized<ScanStatus> : never;

export function scanProgressEvent(s: ScanStatus): ScanProgressData {
  return { ...s, startedAt: s.startedAt?.toISOString() ?? null, finishedAt: s.finishedAt?.toISOString() ?? null };
}

/**
 * Publishes `library.scan.progress` straight to Kafka, not through the outbox: progress is a
 * snapshot that the next one supersedes, so a lost one costs nothing and the scan never waits.
 */
export function scanProgressProducer(publisher: Pick<EventPublisher, 'send'>, logger: Logger): (status: ScanStatus) => void {
  let failing = false;
  return (s) => {
    const envelope = createEnvelope(EVENT_SOURCE, 'library.scan.progress', SCAN_SUBJECT, scanProgressEvent(s));
    publisher.send(topicOf('library.scan.progress'), [{ key: SCAN_SUBJECT, value: JSON.stringify(envelope), headers: { 'ce-id': envelope.id } }]).then(
      () => {
        failing = false;
      },
      (err: Error) => {
        if (!failing) logger.warn({ err: err.message }, 'could not publish scan progress');
        failing = true;
      },
    );
  };
}
