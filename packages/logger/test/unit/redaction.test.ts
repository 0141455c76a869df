import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/index.js';

const SECRET = 'S3CRET-value-that-must-not-appear';

/** Logs `fields` at info and returns the line as written. */
function logged(fields: Record<string, unknown>): { line: string; json: Record<string, any> } {
  let line = '';
  // Collects synchronously: pino writes the line before `info` returns.
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      line += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ name: 'redaction-test', destination: out });
  logger.info(fields, 'msg');
  logger.flush();
  return { line, json: JSON.parse(line) as Record<string, any> };
}

describe('logger redaction (secrets never reach a log line)', () => {
  it.each([
    ['an access or refresh token', { token: SECRET, accessToken: SECRET, refreshToken: SECRET }],
    ['a password (sign-up, sign-in, change)', { password: SECRET, currentPassword: SECRET, newPassword: SECRET }],
    ['the Authorization header', { req: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['a cookie', { req: { headers: { cookie: `session=${SECRET}` } }, headers: { cookie: SECRET } }],
    ['an API key secret', { apiKey: SECRET, secret: SECRET }],
    ['a nested API key or password', { input: { apiKey: SECRET, password: SECRET }, user: { secret: SECRET } }],
    ['a playback ticket and a private key', { ticket: SECRET, privateKey: SECRET }],
    ['GraphQL variables', { variables: { password: SECRET, refreshToken: SECRET, input: { password: SECRET } } }],
    ['a forwarded Authorization header', { forwardHeaders: { authorization: `Bearer ${SECRET}` } }],
  ])('redacts %s', (_what, fields) => {
    const { line } = logged(fields);
    expect(line).not.toContain(SECRET);
    expect(line).toContain('[redacted]');
  });

  it('keeps the secret out of an error carrying request headers', () => {
    const { line } = logged({ err: { message: 'failed', config: { headers: { authorization: `Bearer ${SECRET}` } } } });
    expect(line).not.toContain(SECRET);
  });

  it('keeps everything else', () => {
    const { json } = logged({ userId: 'u1', path: '/graphql', status: 200 });
    expect(json).toMatchObject({ userId: 'u1', path: '/graphql', status: 200, msg: 'msg', level: 'info' });
  });
});
