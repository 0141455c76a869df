import { Schema, type Connection, type Model } from 'mongoose';
import type { ScanStatus } from '../domain/model.js';

/** The outcome of the last finished scan (`_id: 'last'`), for lastScanAt after a restart. */
export interface ScanDoc extends ScanStatus {
  _id: string;
}

const schema = new Schema<ScanDoc>(
  {
    _id: { type: String, required: true },
    state: String,
    startedAt: Date,
    finishedAt: Date,
    filesSeen: Number,
    filesParsed: Number,
    tracksAdded: Number,
    tracksUpdated: Number,
    tracksRemoved: Number,
    errors: Number,
  },
  { collection: 'scans', versionKey: false, suppressReservedKeysWarning: true },
);

export function scanModel(conn: Connection): Model<ScanDoc> {
  return conn.models.Scan ?? conn.model<ScanDoc>('Scan', schema);
}
