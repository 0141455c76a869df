import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageIdOf } from '../domain/identity.js';
import type { Image } from '../domain/model.js';

// Thumbnails are rendered once and then served from disk: libvips' own operation cache would
// only hold memory.
sharp.cache(false);
sharp.concurrency(1);

/** Thumbnail edge lengths; a requested size is rounded up to one of these, so the cache stays bounded. */
export const THUMBNAIL_SIZES = [64, 128, 256, 512, 1024] as const;
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export class InvalidImageError extends Error {}

/**
 * Cover art as content-addressed files: `<dir>/<id[0..2]>/<id>` holds the original bytes,
 * `<id>.<size>.jpg` its thumbnails (made on first request). Equal images are stored once.
 */
export class ArtFileRepository {
  private readonly rendering = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  private originalPath(id: string): string {
    return join(this.dir, id.slice(0, 2), id);
  }

  async has(id: string): Promise<boolean> {
    return stat(this.originalPath(id)).then(
      () => true,
      () => false,
    );
  }

  /** Stores the bytes (if new) and reads their dimensions; rejects what is not an image. */
  async put(bytes: Uint8Array, mimeType: string): Promise<Image> {
    if (bytes.byteLength > MAX_IMAGE_BYTES) throw new InvalidImageError(`image larger than ${MAX_IMAGE_BYTES} bytes`);
    const id = imageIdOf(bytes);
    let meta: sharp.Metadata;
    try {
      meta = await sharp(bytes, { failOn: 'error' }).metadata();
    } catch (err) {
      throw new InvalidImageError(`not a readable image: ${(err as Error).message}`);
    }
    const detected = meta.format === 'jpeg' ? 'image/jpeg' : meta.format === 'png' ? 'image/png' : meta.format ? `image/${meta.format}` : mimeType;
    const path = this.originalPath(id);
    if (!(await this.has(id))) {
      await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
      // Write then rename: a reader never sees half an image.
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    }
    return { id, mimeType: detected, width: meta.width ?? null, height: meta.height ?? null, size: bytes.byteLength };
  }

  /** The size actually served for a requested one: the next thumbnail size up, at most the largest. */
  static thumbnailSize(requested: number): number {
    return THUMBNAIL_SIZES.find((s) => s >= requested) ?? THUMBNAIL_SIZES[THUMBNAIL_SIZES.length - 1]!;
  }

  /** A stream of the original or of a thumbnail (rendered once, then served from disk). */
  async open(id: string, size: number | undefined): Promise<{ stream: ReadStream; length: number; thumbnail: boolean }> {
    const original = this.originalPath(id);
    if (size === undefined) {
      const s = await stat(original);
      return { stream: createReadStream(original), length: s.size, thumbnail: false };
    }
    const thumb = `${original}.${size}.jpg`;
    const existing = await stat(thumb).catch(() => undefined);
    if (!existing) await this.render(original, thumb, size);
    const s = await stat(thumb);
    return { stream: createReadStream(thumb), length: s.size, thumbnail: true };
  }

  private render(original: string, thumb: string, size: number): Promise<void> {
    let job = this.rendering.get(thumb);
    if (!job) {
      job = (async () => {
        const tmp = `${thumb}.${process.pid}.tmp`;
        await sharp(original)
          .rotate()
          .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 82, mozjpeg: true })
          .toFile(tmp);
        await rename(tmp, thumb);
      })().finally(() => this.rendering.delete(thumb));
      this.rendering.set(thumb, job);
    }
    return job;
  }
}
