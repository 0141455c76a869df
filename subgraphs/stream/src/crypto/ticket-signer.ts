import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { TicketSigner } from '../domain/ports.js';
import { TicketRejectedError, type TicketClaims } from '../domain/ticket.js';

/**
 * JOSE `typ`, issuer and audience of tickets. Access tokens are ES256 with typ `at+jwt` and
 * audience `ytm`; tickets are HS256 under stream's own secret with these, and each verifier pins
 * its own algorithm and typ, so neither token can pass as the other.
 */
export const TICKET_TYP = 'ytm-ticket+jwt';
export const TICKET_ALG = 'HS256';
export const TICKET_ISSUER = 'ytm-stream';
export const TICKET_AUDIENCE = 'ytm-stream-range';

const MAX_TOKEN_LENGTH = 2048;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

interface TicketPayload extends jwt.JwtPayload {
  sub: string;
  sid: string;
  trk: string;
  jti: string;
  exp: number;
}

/** HMAC tickets: only stream signs and verifies them, and HMAC keeps per-request checks cheap. */
export class HmacTicketSigner implements TicketSigner {
  /** Derived from the key, so a rotated key makes old tickets fail on `kid` before any HMAC. */
  readonly kid: string;

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('ticket key must be at least 256 bits');
    this.kid = createHash('sha256').update(key).digest('base64url').slice(0, 12);
  }

  sign(c: TicketClaims): string {
    const payload = { sub: c.userId, sid: c.sessionId, trk: c.trackId, jti: c.ticketId, exp: Math.floor(c.expiresAt.getTime() / 1000) };
    return jwt.sign(payload, this.key, { algorithm: TICKET_ALG, header: { alg: TICKET_ALG, typ: TICKET_TYP, kid: this.kid }, issuer: TICKET_ISSUER, audience: TICKET_AUDIENCE });
  }

  verify(token: string, now: Date): TicketClaims {
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) throw new TicketRejectedError('TICKET_INVALID');
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new TicketRejectedError('TICKET_INVALID');
    const { alg, typ, kid } = decoded.header;
    if (alg !== TICKET_ALG || typ !== TICKET_TYP || kid !== this.kid) throw new TicketRejectedError('TICKET_INVALID');
    let p: TicketPayload;
    try {
      p = jwt.verify(token, this.key, { algorithms: [TICKET_ALG], issuer: TICKET_ISSUER, audience: TICKET_AUDIENCE, clockTimestamp: Math.floor(now.getTime() / 1000) }) as TicketPayload;
    } catch (err) {
      throw new TicketRejectedError(err instanceof jwt.TokenExpiredError ? 'TICKET_EXPIRED' : 'TICKET_INVALID');
    }
    if (typeof p.sub !== 'string' || typeof p.sid !== 'string' || typeof p.trk !== 'string' || typeof p.jti !== 'string' || typeof p.exp !== 'number') {
      throw new TicketRejectedError('TICKET_INVALID');
    }
    return { ticketId: p.jti, userId: p.sub, sessionId: p.sid, trackId: p.trk, expiresAt: new Date(p.exp * 1000) };
  }
}
