import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './harness.js';

describe('stream and getCoverArt against the router (requestPlayback decided by stream’s own rule)', () => {
  let h: Harness;
  let song: string;

  beforeAll(async () => {
    h = await startHarness({ graphqlDelayMs: 0 });
    [song] = h.router.addTracks(1) as [string];
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    h.router.resetStats();
    h.router.artStatus = 200;
  });

  // A song of its own per request: subsonic keeps a ticket per user, song, format and ceiling.
  const stream = async (params: Record<string, string>) => {
    const [id] = h.router.addTracks(1) as [string];
    const res = await h.fetchRest('stream', { id, ...params });
    const body = await res.text();
    return { id, status: res.status, type: res.headers.get('content-type'), body };
  };

  it.each([
    // [maxBitRate, format, what stream is asked: format and ceiling]
    ['1000', undefined, 'ORIGINAL', null], // above what stream makes (512): no limit
    ['513', 'mp3', 'MP3', null],
    ['512', 'mp3', 'MP3', 512],
    ['16', undefined, 'ORIGINAL', 32], // below stream's least: its least
    ['1', 'opus', 'OPUS', 32],
    ['0', 'mp3', 'MP3', null], // 0: no limit
    ['96', undefined, 'ORIGINAL', 96],
  ])('maxBitRate=%s format=%s plays: stream is asked for %s at %s kbit/s', async (maxBitRate, format, askedFormat, askedMax) => {
    const { id, ...r } = await stream({ maxBitRate, ...(format ? { format } : {}) });
    expect(r).toEqual({ status: 200, type: 'audio/flac', body: 'audio' });
    expect(h.router.playbacks).toEqual([{ trackId: id, format: askedFormat, maxBitrate: askedMax }]);
  });

  it('format=raw is the file without transcoding: no bitrate limit is sent, whatever maxBitRate says', async () => {
    for (const maxBitRate of ['64', '128', '1000']) {
      const r = await stream({ format: 'raw', maxBitRate });
      expect(r.body).toBe('audio');
    }
    expect(h.router.playbacks.map((p) => [p.format, p.maxBitrate])).toEqual([
      ['ORIGINAL', null],
      ['ORIGINAL', null],
      ['ORIGINAL', null],
    ]);
  });

  it.each([
    [429, 0, 'The image service is busy; retry in 2 s'],
    [500, 0, 'The image service refused the request (HTTP 500)'],
    [503, 0, 'The image service is busy; retry in 2 s'],
    [502, 0, 'The image service refused the request (HTTP 502)'],
    [400, 0, 'The image service refused the request (HTTP 400)'],
    [404, 70, 'Cover art not found'],
  ])('getCoverArt: the image service answering %i is HTTP 200 with Subsonic error %i', async (upstream, code, message) => {
    h.router.artStatus = upstream;
    for (const id of ['c'.repeat(32), song]) {
      const res = await h.fetchRest('getCoverArt', { id, size: '300' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { 'subsonic-response': Record<string, unknown> };
      expect(body['subsonic-response']).toMatchObject({ status: 'failed', error: { code, message } });
    }
  });

  it('getCoverArt relays the image when the service has it', async () => {
    const res = await h.fetchRest('getCoverArt', { id: 'c'.repeat(32) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
});
