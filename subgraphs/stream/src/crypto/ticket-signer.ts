import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TicketSigner } from '../domain/ports.js';
import type { TranscodeFormat } from '../domain/stream-format.js';
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
const VERIFIED_CACHE_SIZE = 10_000;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

interface TicketPayload {
  iss?: unknown;
  aud?: unknown;
  sub?: unknown;
  sid?: unknown;
  trk?: unknown;
  jti?: unknown;
  exp?: unknown;
  fmt?: unknown;
  br?: unknown;
}

const TRANSCODE_FORMATS: ReadonlySet<unknown> = new Set(['OPUS', 'MP3', 'AAC']);

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * HMAC-SHA256 JWTs (RFC 7519) written out by hand: only stream signs and verifies them, every
 * Range request verifies one, and the generic jsonwebtoken path costs ~0.5 ms a call where this
 * costs a few microseconds. Only the exact header we write is accepted.
 */
export class HmacTicketSigner implements TicketSigner {
  /** Derived from the key, so a rotated key makes old tickets fail on `kid` before any HMAC. */
  readonly kid: string;
  private readonly header: string;
  /** Tickets already verified: a player sends one many times (every Range request); only expiry is re-checked. */
  private readonly verified = new Map<string, TicketClaims>();

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('ticket key must be at least 256 bits');
    this.kid = createHash('sha256').update(key).digest('base64url').slice(0, 12);
    this.header = b64({ alg: TICKET_ALG, typ: TICKET_TYP, kid: this.kid });
  }

  sign(c: TicketClaims): string {
    const payload = b64({
      iss: TICKET_ISSUER,
      aud: TICKET_AUDIENCE,
      sub: c.userId,
      sid: c.sessionId,
      trk: c.trackId,
      jti: c.ticketId,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(c.expiresAt.getTime() / 1000),
      ...(c.transcode ? { fmt: c.transcode.format, br: c.transcode.bitrate } : {}),
    });
    return `${this.header}.${payload}.${this.mac(`${this.header}.${payload}`)}`;
  }

  verify(token: string, now: Date): TicketClaims {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt.getTime() <= now.getTime()) {
        this.verified.delete(token);
        throw new TicketRejectedError('TICKET_EXPIRED');
      }
      return { ...known };
    }
    const claims = this.verifyFully(token, now);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return { ...claims };
  }

  private verifyFully(token: string, now: Date): TicketClaims {
    const invalid = (): never => {
      throw new TicketRejectedError('TICKET_INVALID');
    };
    if (token.length > MAX_TOKEN_LENGTH) return invalid();
    const m = TOKEN_SHAPE.exec(token);
    if (!m) return invalid();
    const [, header, payload, signature] = m as unknown as [string, string, string, string];
    // Our header byte for byte: pins alg, typ and kid (no `none`, no ES256 access token).
    if (header !== this.header) return invalid();
    const expected = Buffer.from(this.mac(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid();
    let p: TicketPayload;
    try {
      p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TicketPayload;
    } catch {
      return invalid();
    }
    if (typeof p !== 'object' || p === null || p.iss !== TICKET_ISSUER || p.aud !== TICKET_AUDIENCE) return invalid();
    if (typeof p.sub !== 'string' || typeof p.sid !== 'string' || typeof p.trk !== 'string' || typeof p.jti !== 'string' || typeof p.exp !== 'number')
      return invalid();
    if (p.exp * 1000 <= now.getTime()) throw new TicketRejectedError('TICKET_EXPIRED');
    const claims: TicketClaims = { ticketId: p.jti, userId: p.sub, sessionId: p.sid, trackId: p.trk, expiresAt: new Date(p.exp * 1000) };
    if (p.fmt === undefined && p.br === undefined) return claims;
    if (!TRANSCODE_FORMATS.has(p.fmt) || typeof p.br !== 'number' || !Number.isInteger(p.br) || p.br <= 0) return invalid();
    return { ...claims, transcode: { format: p.fmt as TranscodeFormat, bitrate: p.br } };
  }

  private mac(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}
