import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { waitFor } from '@ytm/testing';
import type { Harness } from './stream-harness.js';
import { ticketUrl } from './stream-harness.js';

/** GETs a URL to the end; status, headers and the whole body. */
export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Waits until the ticket's transcode is served from the cache (a Content-Length and Range support). */
export async function untilCached(h: Harness, token: string, timeoutMs = 30_000): Promise<void> {
  const cached = async () => (await fetch(ticketUrl(h, token), { method: 'HEAD' })).headers.get('accept-ranges') === 'bytes';
  await waitFor(cached, timeoutMs, 100, 'the transcode in the cache');
}

/** Waits until no ffmpeg process of this stream instance is alive. */
export async function untilNoProcesses(h: Harness, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => h.stream.transcoder.processes === 0, timeoutMs, 50, 'every ffmpeg process of this instance to exit');
}

/** True while a process with this pid exists (signal 0 checks without sending). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function save(path: string, body: Buffer): string {
  writeFileSync(path, body);
  return path;
}

/** ffmpeg processes that are children of this process, counted from /proc (not from our own bookkeeping). */
export function ffmpegChildren(): number {
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'ffmpeg' && ppid === process.pid) n++;
    } catch {
      // Exited while we looked.
    }
  }
  return n;
}

/** Samples `ffmpegChildren()` every 5 ms until `stop`, which answers the most seen at once. */
export function sampleFfmpegPeak(): { stop(): Promise<number> } {
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, ffmpegChildren());
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await sampler;
      return peak;
    },
  };
}
