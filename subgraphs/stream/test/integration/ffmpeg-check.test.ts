import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { testTrustDir } from '@ytm/testing';
import { checkFfmpeg, FfmpegUnusableError } from '../../src/transcode/ffmpeg.js';

jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), 'ytm-ffmpeg-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable that prints what an ffmpeg without the needed encoders prints. */
function lameLessFfmpeg(): string {
  const path = join(dir, 'ffmpeg');
  writeFileSync(
    path,
    `#!/bin/sh
case "$2" in
  -version) printf 'ffmpeg version 6.0 Copyright\\nlibavcodec     60.  3.100 / 60.  3.100\\nlibavformat    60.  3.100 / 60.  3.100\\n' ;;
  -encoders) printf ' A....D aac                  AAC\\n A....D libopus              Opus\\n' ;;
  -muxers) printf '  E tee\\n  E ogg\\n  E mp3\\n  E adts\\n  E ipod\\n' ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('ffmpeg check at start', () => {
  it("accepts the machine's ffmpeg and reports its version", async () => {
    const info = await checkFfmpeg(process.env.FFMPEG_PATH ?? 'ffmpeg');
    expect(info.version).toMatch(/\S/);
    expect(Number(info.libavcodec.split('.')[0])).toBeGreaterThanOrEqual(58);
  });

  it('names what is missing: no binary, or an encoder', async () => {
    await expect(checkFfmpeg(join(dir, 'nothing-here'))).rejects.toThrow(/not found: install ffmpeg/);
    const err = await checkFfmpeg(lameLessFfmpeg()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegUnusableError);
    expect((err as Error).message).toMatch(/lacks encoder libmp3lame/);
  });

  it('the service refuses to start with one clear line, before connecting anywhere', async () => {
    const main = new URL('../../dist/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        FFMPEG_PATH: join(dir, 'nothing-here'),
        MONGODB_URL: 'mongodb://127.0.0.1:1',
        LOG_LEVEL: 'info',
        TRUST_DIR: testTrustDir(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'fatal',
      msg: expect.stringMatching(/^ytm-stream cannot start: ffmpeg at ".*nothing-here" not found/),
    });
  });
});
