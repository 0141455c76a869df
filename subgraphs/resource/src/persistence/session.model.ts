import { Schema, type Connection, type Model } from 'mongoose';

export interface SessionDoc {
  _id: string;
  userId: string;
  /** sha256 of the current refresh token. */
  refreshHash: string;
  /** Hashes of rotated tokens, kept to detect reuse. */
  spentHashes: string[];
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
}

const schema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    refreshHash: { type: String, required: true, unique: true },
    spentHashes: { type: [String], default: [], index: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, default: null },
  },
  { collection: 'sessions', versionKey: false },
);

export function sessionModel(conn: Connection): Model<SessionDoc> {
  return conn.models.Session ?? conn.model<SessionDoc>('Session', schema);
}
