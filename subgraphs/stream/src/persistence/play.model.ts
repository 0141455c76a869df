import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One step of a play, inserted once and never updated (FerretDB loses concurrent updates of a
 * document, and the outbox relay updates this one): `_id` is `<kind>:<ticketId>`.
 */
export interface PlayDoc {
  _id: string;
  kind: 'started' | 'completed';
  ticketId: string;
  userId: string;
  trackId: string;
  at: Date;
}

const schema = new Schema<PlayDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['started', 'completed'], required: true },
    ticketId: { type: String, required: true },
    userId: { type: String, required: true },
    trackId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  // strict: false keeps the outbox field the repository writes with the play.
  { collection: 'plays', versionKey: false, strict: false },
);
schema.index({ userId: 1, kind: 1, at: -1 });
schema.index({ trackId: 1, kind: 1 });

export function playModel(conn: Connection): Model<PlayDoc> {
  return conn.models.Play ?? conn.model<PlayDoc>('Play', schema);
}
