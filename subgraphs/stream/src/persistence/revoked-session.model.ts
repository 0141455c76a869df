import { Schema, type Connection, type Model } from 'mongoose';

/** Sessions signed out (`_id` = session id), remembered while their access tokens may live. */
export interface RevokedSessionDoc {
  _id: string;
  until: Date;
}

const revokedSessionSchema = new Schema<RevokedSessionDoc>(
  { _id: { type: String, required: true }, until: { type: Date, required: true } },
  { collection: 'revoked_sessions', versionKey: false },
);

export function revokedSessionModel(conn: Connection): Model<RevokedSessionDoc> {
  return conn.models.RevokedSession ?? conn.model<RevokedSessionDoc>('RevokedSession', revokedSessionSchema);
}
