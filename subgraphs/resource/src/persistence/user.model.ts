import { Schema, type Connection, type Model } from 'mongoose';

export interface UserDoc {
  _id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  role: 'USER' | 'ADMIN';
  plan: { tier: 'FREE' | 'PREMIUM'; expiresAt: Date | null };
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, unique: true },
    displayName: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['USER', 'ADMIN'], required: true, index: true },
    plan: { tier: { type: String, enum: ['FREE', 'PREMIUM'], required: true }, expiresAt: { type: Date, default: null } },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  // strict: false keeps the outbox field that repositories write next to the user.
  { collection: 'users', versionKey: false, strict: false },
);

export function userModel(conn: Connection): Model<UserDoc> {
  return conn.models.User ?? conn.model<UserDoc>('User', schema);
}
