import { Schema, type Connection, type Model } from 'mongoose';
import type { AudioFormat } from '../domain/model.js';

export interface TrackDoc {
  _id: string;
  path: string;
  size: number;
  mtimeMs: number;
  title: string;
  artistIds: string[];
  albumId: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  duration: number;
  genres: string[];
  year: number | null;
  compilation: boolean;
  identity: string;
  format: AudioFormat;
  coverArtId: string | null;
  addedAt: Date;
  updatedAt: Date;
}

const schema = new Schema<TrackDoc>(
  {
    _id: { type: String, required: true },
    path: { type: String, required: true, unique: true },
    size: Number,
    mtimeMs: Number,
    title: String,
    artistIds: [String],
    albumId: { type: String, default: null },
    trackNumber: { type: Number, default: null },
    discNumber: { type: Number, default: null },
    duration: Number,
    genres: [String],
    year: { type: Number, default: null },
    compilation: Boolean,
    identity: String,
    format: { type: Schema.Types.Mixed },
    coverArtId: { type: String, default: null },
    addedAt: Date,
    updatedAt: Date,
  },
  { collection: 'tracks', versionKey: false },
);

export function trackModel(conn: Connection): Model<TrackDoc> {
  return conn.models.Track ?? conn.model<TrackDoc>('Track', schema);
}
