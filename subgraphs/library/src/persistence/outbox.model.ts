import { Schema, type Connection, type Model } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, type OutboxEntry } from '@ytm/events';

/**
 * A batch of pending events. Each document is born marked deleted, so the shared OutboxRelay
 * publishes its entries and then removes it; the collection stays small, which keeps the
 * relay's scans cheap on FerretDB.
 */
export interface OutboxDoc {
  _id: string;
  [OUTBOX_FIELD]: OutboxEntry[];
  [DELETED_FIELD]: true;
}

const schema = new Schema({ _id: { type: String, required: true } }, { collection: 'outbox', versionKey: false, strict: false });

export function outboxModel(conn: Connection): Model<OutboxDoc> {
  return conn.models.Outbox ?? (conn.model('Outbox', schema) as unknown as Model<OutboxDoc>);
}

/**
 * Events written ahead of the change they announce wait here, where the relay does not look,
 * until the change is stored; a small collection of its own keeps that hand-over cheap.
 */
const stagedSchema = new Schema({ _id: { type: String, required: true } }, { collection: 'outbox_staged', versionKey: false, strict: false });

export function stagedOutboxModel(conn: Connection): Model<OutboxDoc> {
  return conn.models.StagedOutbox ?? (conn.model('StagedOutbox', stagedSchema) as unknown as Model<OutboxDoc>);
}
