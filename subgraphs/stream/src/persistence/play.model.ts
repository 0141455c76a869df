import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One step of a play in the history (`plays`), inserted once by the play folder and never updated:
 * `_id` is `<kind>:<ticketId>`, so a step folded twice is found by its insert. Kept for
 * `PLAY_HISTORY_RETENTION_DAYS`; no read serves a request from it.
 */
export interface PlayDoc {
  _id: string;
  kind: 'started' | 'completed';
  ticketId: string;
  userId: string;
  trackId: string;
  at: Date;
}

/** The fields of a play step, in the history (`plays`) and while it waits to be folded (`play_pending`). */
export const PLAY_STEP_FIELDS = {
  _id: { type: String, required: true },
  kind: { type: String, enum: ['started', 'completed'], required: true },
  ticketId: { type: String, required: true },
  userId: { type: String, required: true },
  trackId: { type: String, required: true },
  at: { type: Date, required: true },
} as const;

const schema = new Schema<PlayDoc>(PLAY_STEP_FIELDS, { collection: 'plays', versionKey: false, strict: false });
// Retention deletes by age (an index on MongoDB; FerretDB scans, once per housekeeping interval).
schema.index({ at: 1 });

export function playModel(conn: Connection): Model<PlayDoc> {
  return conn.models.Play ?? conn.model<PlayDoc>('Play', schema);
}
