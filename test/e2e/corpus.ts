import { writeFileSync } from 'node:fs';

/** A tagged PCM WAV (RIFF INFO tags) made in memory: thousands of test files in milliseconds. */
export function wav(tags: { title: string; artist: string; album: string; track?: number }, seconds = 0.25): Buffer {
  const rate = 8_000;
  const samples = Math.round(rate * seconds);
  const pcm = Buffer.alloc(samples, 128);
  for (let i = 0; i < samples; i++) pcm[i] = 128 + Math.round(60 * Math.sin((i / rate) * 2 * Math.PI * 440));
  const info = (id: string, value: string) => {
    const text = Buffer.from(`${value}\0`, 'utf8');
    const padded = Buffer.concat([text, Buffer.alloc(text.length % 2)]);
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(text.length, 4);
    return Buffer.concat([head, padded]);
  };
  const infoBody = Buffer.concat([
    Buffer.from('INFO'),
    info('INAM', tags.title),
    info('IART', tags.artist),
    info('IPRD', tags.album),
    ...(tags.track ? [info('ITRK', String(tags.track))] : []),
  ]);
  const list = Buffer.concat([Buffer.from('LIST'), u32(infoBody.length), infoBody]);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate, 16);
  fmt.writeUInt16LE(1, 20);
  fmt.writeUInt16LE(8, 22);
  const data = Buffer.concat([Buffer.from('data'), u32(pcm.length), pcm]);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
  return Buffer.concat([Buffer.from('RIFF'), u32(body.length), body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

export function writeWav(path: string, tags: Parameters<typeof wav>[0], seconds?: number): void {
  writeFileSync(path, wav(tags, seconds));
}
