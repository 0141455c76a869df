import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { toJson } from '../../src/format/json.js';
import { envelope } from '../../src/format/response.js';
import { escapeXml, toXml } from '../../src/format/xml.js';
import { redactedParams } from '../../src/http/params.js';
import { subsonicErrorOf } from '../../src/ytm/graphql-client.js';

const head = envelope('ok', '0.1.0');

describe('XML', () => {
  it('maps scalars to attributes, objects and arrays to elements, and value to text where the XSD says', () => {
    const xml = toXml(head, {
      lyricsList: {
        structuredLyrics: [
          {
            lang: 'en',
            synced: true,
            line: [
              { start: 0, value: 'a < b & "c"' },
              { start: 1500, value: 'd' },
            ],
          },
        ],
      },
      genres: { genre: [{ value: 'Rock', songCount: 2, albumCount: 1 }] },
      openSubsonicExtensions: [{ name: 'formPost', versions: [1] }],
      skipped: undefined,
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<subsonic-response xmlns="http://subsonic.org/restapi" status="ok" version="1.16.1" type="ytm" serverVersion="0.1.0" openSubsonic="true">' +
        '<lyricsList><structuredLyrics lang="en" synced="true"><line start="0">a &lt; b &amp; &quot;c&quot;</line><line start="1500">d</line></structuredLyrics></lyricsList>' +
        '<genres><genre songCount="2" albumCount="1">Rock</genre></genres>' +
        '<openSubsonicExtensions name="formPost"><versions>1</versions></openSubsonicExtensions>' +
        '</subsonic-response>',
    );
  });

  it('drops characters XML 1.0 cannot carry', () => {
    expect(escapeXml('a\u0001b\u0008c\td')).toBe('abc\td');
  });

  it('JSON wraps the payload in subsonic-response', () => {
    expect(JSON.parse(toJson(head, { license: { valid: true } }))).toEqual({
      'subsonic-response': { status: 'ok', version: '1.16.1', type: 'ytm', serverVersion: '0.1.0', openSubsonic: true, license: { valid: true } },
    });
  });
});

describe('secrets in parameters', () => {
  it('never reach a log line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: 'test', destination: sink });
    const params = new URLSearchParams('u=ann@ytm.test&p=hunter2secret&t=tok3n&s=s4lt&apiKey=ytm_s3cretkey&id=tr_1');
    logger.error({ params: redactedParams(params) }, 'failed');
    const out = lines.join('');
    for (const secret of ['hunter2secret', 'tok3n', 's4lt', 'ytm_s3cretkey']) expect(out).not.toContain(secret);
    expect(out).toContain('tr_1');
    expect(out).toContain('[redacted]');
  });
});

describe('GraphQL errors as Subsonic errors', () => {
  it('maps codes, and says when a rate-limited client may come back', () => {
    expect(subsonicErrorOf([{ message: 'Album not found', extensions: { code: 'NOT_FOUND' } }]).code).toBe(70);
    const limited = subsonicErrorOf([{ message: 'Too many requests; slow down', extensions: { code: 'RATE_LIMITED', retryAfter: 12 } }]);
    expect({ code: limited.code, message: limited.message }).toEqual({ code: 0, message: 'Too many requests; slow down (retry in 12 s)' });
  });
});
