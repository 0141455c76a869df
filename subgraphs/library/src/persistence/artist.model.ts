import { Schema, type Connection, type Model } from 'mongoose';

export interface ArtistDoc {
  _id: string;
  name: string;
  sortName: string;
  addedAt: Date;
}

const schema = new Schema<ArtistDoc>(
  { _id: { type: String, required: true }, name: String, sortName: String, addedAt: Date },
  { collection: 'artists', versionKey: false },
);

export function artistModel(conn: Connection): Model<ArtistDoc> {
  return conn.models.Artist ?? conn.model<ArtistDoc>('Artist', schema);
}
