import { Schema, type Connection, type Model } from 'mongoose';
import { PLAY_STEP_FIELDS, playModel, type PlayDoc } from './play.model.js';

/**
 * A play step waiting to be folded into the statistics (`play_pending`, `_id` = `<kind>:<ticket>`),
 * written with its event in `_outbox`. Small: the folder deletes each step once it is folded and
 * its event is published, so neither the outbox relay nor the folder ever reads the history.
 */
export type PendingPlayDoc = PlayDoc;

/** Completed plays of one track (`play_counts`, `_id` = track id) and the last steps folded in. */
export interface PlayCountDoc {
  _id: string;
  count: number;
  applied: string[];
}

/** One user's recent plays, newest first (`recent_plays`, `_id` = user id). */
export interface RecentPlaysDoc {
  _id: string;
  plays: Array<{ ticketId: string; trackId: string; at: Date; completed: boolean }>;
}

/** Who folds plays (`leases`, `_id` = the job): one replica at a time, until `until`. */
export interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

const pendingSchema = new Schema<PendingPlayDoc>(PLAY_STEP_FIELDS, { collection: 'play_pending', versionKey: false, strict: false });

const countSchema = new Schema<PlayCountDoc>(
  { _id: { type: String, required: true }, count: { type: Number, required: true }, applied: { type: [String], default: [] } },
  { collection: 'play_counts', versionKey: false },
);

const recentSchema = new Schema<RecentPlaysDoc>(
  {
    _id: { type: String, required: true },
    plays: [{ _id: false, ticketId: String, trackId: String, at: Date, completed: Boolean }],
  },
  { collection: 'recent_plays', versionKey: false },
);

const leaseSchema = new Schema<LeaseDoc>(
  { _id: { type: String, required: true }, holder: { type: String, required: true }, until: { type: Date, required: true } },
  { collection: 'leases', versionKey: false },
);

export interface PlayStatsModels {
  pending: Model<PendingPlayDoc>;
  counts: Model<PlayCountDoc>;
  recent: Model<RecentPlaysDoc>;
  leases: Model<LeaseDoc>;
  /** The history (`plays`): a step found there by `_id` was recorded and folded before. */
  history: Model<PlayDoc>;
}

export function playStatsModels(conn: Connection): PlayStatsModels {
  return {
    pending: conn.models.PendingPlay ?? conn.model<PendingPlayDoc>('PendingPlay', pendingSchema),
    counts: conn.models.PlayCount ?? conn.model<PlayCountDoc>('PlayCount', countSchema),
    recent: conn.models.RecentPlays ?? conn.model<RecentPlaysDoc>('RecentPlays', recentSchema),
    leases: conn.models.Lease ?? conn.model<LeaseDoc>('Lease', leaseSchema),
    history: playModel(conn),
  };
}
