import { Schema, type Connection, type Model } from 'mongoose';

export interface TicketDoc {
  _id: string;
  userId: string;
  sessionId: string;
  trackId: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
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
    startedAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
  },
  // strict: false keeps the outbox field the repository writes next to the ticket.
  { collection: 'tickets', versionKey: false, strict: false },
);
schema.index({ userId: 1, expiresAt: -1 });
schema.index({ userId: 1, startedAt: -1 });
schema.index({ trackId: 1, completedAt: 1 });

export function ticketModel(conn: Connection): Model<TicketDoc> {
  return conn.models.Ticket ?? conn.model<TicketDoc>('Ticket', schema);
}
