import { Schema, type Connection, type Model } from 'mongoose';

/** A JWT signing key pair; public halves of unretired keys are published as JWKS. */
export interface SigningKeyDoc {
  _id: string; // kid
  alg: 'ES256';
  privateJwk: string;
  publicJwk: string;
  createdAt: Date;
  /** Published from creation, signing only from here: verifiers learn a key before they meet it. Absent: createdAt. */
  activatesAt?: Date;
  /** After this, the key no longer signs; it stays in the JWKS until tokens it signed expired. */
  retiredAt: Date | null;
  /** Set on the key made at first start: unique, so replicas starting together make one key, not one each. */
  first?: true;
}

const schema = new Schema<SigningKeyDoc>(
  {
    _id: { type: String, required: true },
    alg: { type: String, required: true },
    privateJwk: { type: String, required: true },
    publicJwk: { type: String, required: true },
    createdAt: { type: Date, required: true },
    activatesAt: { type: Date },
    retiredAt: { type: Date, default: null },
    first: { type: Boolean },
  },
  { collection: 'signing_keys', versionKey: false },
);

schema.index({ first: 1 }, { unique: true, sparse: true });

export function signingKeyModel(conn: Connection): Model<SigningKeyDoc> {
  return conn.models.SigningKey ?? conn.model<SigningKeyDoc>('SigningKey', schema);
}
