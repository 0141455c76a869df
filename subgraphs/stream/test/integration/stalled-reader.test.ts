import net from 'node:net';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { writeAudio } from '../support/audio.js';
import { startHarness, ticketUrl, type Harness } from '../support/stream-harness.js';
import { untilNoProcesses } from '../support/transcode-helpers.js';

// Real FerretDB, Kafka and ffmpeg on a shared machine: generous timeouts.
jest.setTimeout(120_000);

let h: Harness;
let token: string;
let wavPath: string;

beforeAll(async () => {
  // A client that takes nothing for 1 s is cut (60 s in production).
  h = await startHarness({ CLIENT_STALL_SECONDS: '1' });
  token = h.issuer.sign({ tier: 'PREMIUM' });
  wavPath = h.addTrack('long', 600).path; // 9.6 MB: far more than socket buffers hold
  const flac = join(h.dir, 'long.flac');
  await writeAudio(flac, 'FLAC', 600);
  h.addFile('long-flac', flac, 'audio/flac', 600); // MP3 at 192 kbit/s: 14 MB
});
afterAll(() => h?.close());

/** This process's open descriptors whose target contains `needle` (from /proc, not our bookkeeping). */
function openDescriptors(needle: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes(needle)) n++;
    } catch {
      // Closed while we looked.
    }
  }
  return n;
}

/** Sends a GET over a raw socket and never reads the answer (the socket is paused from the start). */
function stalledClient(url: string, headers: Record<string, string> = {}): net.Socket {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.pause();
  socket.on('error', () => undefined);
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n${lines.join('')}\r\n`);
  return socket;
}

describe('a client that stops reading', () => {
  for (const [name, range] of [
    ['one range (bytes=0-)', 'bytes=0-'],
    ['multipart ranges', 'bytes=0-99,200-'],
  ] as const) {
    it(`${name}: the response is cut after CLIENT_STALL_SECONDS, its file descriptor and open-stream entry freed`, async () => {
      const t = await h.requestPlayback(token, 'long');
      const socket = stalledClient(ticketUrl(h, t.token), { range });
      try {
        // Held while the socket buffers fill...
        await waitFor(() => h.stream.active.count === 1 && openDescriptors(wavPath) === 1, 10_000, 20, 'the stream to be open');
        // ...and let go once the client took nothing for the stall time.
        await waitFor(() => h.stream.active.count === 0 && openDescriptors(wavPath) === 0, 15_000, 50, 'the stalled stream to be cut');
      } finally {
        socket.destroy();
      }
    });
  }

  it('a transcode being made: the response is cut, its spool descriptor closed and its process ended', async () => {
    const t = await h.requestPlayback(token, 'long-flac', { format: 'MP3' });
    expect(t.bitrate).toBe(192);
    const socket = stalledClient(ticketUrl(h, t.token));
    try {
      // The listener's descriptor on the spool (and ffmpeg's writer's, while it runs).
      await waitFor(() => h.stream.active.count === 1 && openDescriptors('.spool') >= 1, 20_000, 20, 'the transcode stream to be open');
      await waitFor(() => h.stream.active.count === 0 && openDescriptors('.spool') === 0, 30_000, 50, 'the stalled transcode stream to be cut');
      await untilNoProcesses(h);
    } finally {
      socket.destroy();
    }
  });
});
