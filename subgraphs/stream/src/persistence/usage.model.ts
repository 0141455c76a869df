import { Schema, type Connection, type Model } from 'mongoose';

/** Tickets issued to one user on one UTC day; `_id` is `<userId>:<YYYY-MM-DD>`. */
export interface UsageDoc {
  _id: string;
  userId: string;
  day: string;
  count: number;
}

const schema = new Schema<UsageDoc>(
  { _id: { type: String, required: true }, userId: { type: String, required: true }, day: { type: String, required: true }, count: { type: Number, required: true } },
  { collection: 'daily_usage', versionKey: false },
);

export function usageModel(conn: Connection): Model<UsageDoc> {
  return conn.models.DailyUsage ?? conn.model<UsageDoc>('DailyUsage', schema);
}

/** Sessions signed out (`_id` = session id), remembered while their access tokens may live. */
export interface RevokedSessionDoc {
  _id: string;
  until: Date;
}

const revokedSessionSchema = new Schema<RevokedSessionDoc>({ _id: { type: String, required: true }, until: { type: Date, required: true } }, { collection: 'revoked_sessions', versionKey: false });

export function revokedSessionModel(conn: Connection): Model<RevokedSessionDoc> {
  return conn.models.RevokedSession ?? conn.model<RevokedSessionDoc>('RevokedSession', revokedSessionSchema);
}
