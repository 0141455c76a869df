import { Schema, type Connection, type Model } from 'mongoose';

export interface AlbumDoc {
  _id: string;
  title: string;
  sortTitle: string;
  artistId: string;
  addedAt: Date;
}

// Only what identifies an album; year, genres, counts and cover are derived from its tracks.
const schema = new Schema<AlbumDoc>(
  { _id: { type: String, required: true }, title: String, sortTitle: String, artistId: String, addedAt: Date },
  { collection: 'albums', versionKey: false },
);

export function albumModel(conn: Connection): Model<AlbumDoc> {
  return conn.models.Album ?? conn.model<AlbumDoc>('Album', schema);
}
