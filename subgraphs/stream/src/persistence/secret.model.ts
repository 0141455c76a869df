import { Schema, type Connection, type Model } from 'mongoose';

/** Server-side secrets generated at first start (the ticket signing key). */
export interface SecretDoc {
  _id: string;
  value: string;
  createdAt: Date;
}

const schema = new Schema<SecretDoc>({ _id: String, value: String, createdAt: Date }, { collection: 'secrets', versionKey: false });

export function secretModel(conn: Connection): Model<SecretDoc> {
  return conn.models.Secret ?? conn.model<SecretDoc>('Secret', schema);
}
