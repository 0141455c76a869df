import { Schema, type Connection, type Model } from 'mongoose';

export interface TicketDoc {
  _id: string;
  userId: string;
  sessionId: string;
  trackId: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Tickets stored before `ticket_quota` carried their quota slot here (`<userId>:<day>:<n>`, unique). */
  quotaSlot?: string;
}

const schema = new Schema<TicketDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    sessionId: { type: String, required: true },
    trackId: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    quotaSlot: { type: String },
  },
  { collection: 'tickets', versionKey: false },
);
schema.index({ quotaSlot: 1 }, { unique: true, sparse: true });
// No index by user: a user's tickets are found through their quota slots, by `_id` (ticket.repository.ts).

export function ticketModel(conn: Connection): Model<TicketDoc> {
  return conn.models.Ticket ?? conn.model<TicketDoc>('Ticket', schema);
}
