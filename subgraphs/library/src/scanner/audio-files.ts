import { extname } from 'node:path';

/** Extensions the scanner parses; a file with one of them but no readable audio is an error. */
export const AUDIO_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['.mp3', 'audio/mpeg'],
  ['.mp2', 'audio/mpeg'],
  ['.flac', 'audio/flac'],
  ['.ogg', 'audio/ogg'],
  ['.oga', 'audio/ogg'],
  ['.opus', 'audio/ogg'],
  ['.m4a', 'audio/mp4'],
  ['.m4b', 'audio/mp4'],
  ['.mp4', 'audio/mp4'],
  ['.aac', 'audio/aac'],
  ['.wav', 'audio/wav'],
  ['.aif', 'audio/aiff'],
  ['.aiff', 'audio/aiff'],
  ['.wma', 'audio/x-ms-wma'],
  ['.wv', 'audio/wavpack'],
  ['.ape', 'audio/ape'],
]);

export function isAudioFile(name: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(name).toLowerCase());
}

// Folder images, best first: cover.jpg beats folder.png beats front.jpeg.
const FOLDER_IMAGE_RE = /^(cover|folder|front)\.(jpe?g|png)$/i;
const FOLDER_IMAGE_RANK = ['cover', 'folder', 'front'];

/** The rank of a folder image name (lower is better), or undefined when it is not one. */
export function folderImageRank(name: string): number | undefined {
  const m = FOLDER_IMAGE_RE.exec(name);
  return m ? FOLDER_IMAGE_RANK.indexOf(m[1]!.toLowerCase()) : undefined;
}

// "CD1", "Disc 2", "disk-3": a disc of an album whose cover usually sits one folder up.
const DISC_FOLDER_RE = /^(?:cd|dis[ck])[\s._-]*\d{1,3}\b/i;

export function isDiscFolder(name: string): boolean {
  return DISC_FOLDER_RE.test(name);
}

/** What the stream endpoint sends: by container where music-metadata names one, else by extension. */
export function mimeTypeOf(container: string, codec: string, path: string): string {
  const c = container.toLowerCase();
  if (c.includes('mpeg') && !c.includes('mpeg-4')) return 'audio/mpeg';
  if (c.includes('flac')) return 'audio/flac';
  if (c.includes('ogg')) return 'audio/ogg';
  if (c.includes('mpeg-4') || c.includes('m4a') || c.includes('mp4') || c.includes('isom')) return 'audio/mp4';
  if (c.includes('wav')) return 'audio/wav';
  if (c.includes('aiff')) return 'audio/aiff';
  if (c.includes('adts') || codec.toLowerCase() === 'aac') return 'audio/aac';
  return AUDIO_EXTENSIONS.get(extname(path).toLowerCase()) ?? 'application/octet-stream';
}
