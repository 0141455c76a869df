import { Schema, type Connection, type Model } from 'mongoose';

/** Image metadata; the bytes live in the art directory under the same content-hash ID. */
export interface ImageDoc {
  _id: string;
  mimeType: string;
  width: number | null;
  height: number | null;
  size: number;
}

const schema = new Schema<ImageDoc>(
  { _id: { type: String, required: true }, mimeType: String, width: Number, height: Number, size: Number },
  { collection: 'images', versionKey: false },
);

export function imageModel(conn: Connection): Model<ImageDoc> {
  return conn.models.Image ?? conn.model<ImageDoc>('Image', schema);
}
