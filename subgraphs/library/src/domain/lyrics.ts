/** A track's lyrics (api-next.graphql `Lyrics`): synced lines carry their start time. */
export interface Lyrics {
  synced: boolean;
  /** ISO 639 when the source says. */
  language: string | null;
  lines: Array<{ startMs: number | null; text: string }>;
}

/** Lyrics as a tag parser reports them (ID3 USLT/SYLT, Vorbis LYRICS), independent of the parser. */
export interface TaggedLyrics {
  language?: string | undefined;
  text?: string | undefined;
  /** Absent for ID3 USLT frames. */
  syncText?: Array<{ text: string; timestamp?: number | undefined }> | undefined;
}

const LRC_TIME = /\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]/g;
const LRC_TAG = /^\[([a-z]+):(.*)\]$/i;

/**
 * An `.lrc` file: `[mm:ss.xx]text` lines (several times per line allowed), sorted by time;
 * `[la:xx]` gives the language, other `[tag:value]` lines are skipped. Without any time it is
 * taken as plain text. Null when there is no text at all.
 */
export function parseLrc(content: string): Lyrics | null {
  const timed: Array<{ startMs: number; text: string }> = [];
  const plain: string[] = [];
  let language: string | null = null;
  for (const raw of content.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const times = [...line.matchAll(LRC_TIME)];
    if (times.length === 0) {
      const tag = LRC_TAG.exec(line);
      if (tag) {
        if (tag[1]!.toLowerCase() === 'la' && tag[2]!.trim()) language = tag[2]!.trim();
        continue;
      }
      plain.push(line);
      continue;
    }
    const text = line.replace(LRC_TIME, '').trim();
    for (const t of times) {
      const fraction = t[3] ?? '0';
      const ms = Number(t[1]) * 60_000 + Number(t[2]) * 1_000 + Math.round(Number(`0.${fraction}`) * 1_000);
      timed.push({ startMs: ms, text });
    }
  }
  if (timed.length > 0) return { synced: true, language, lines: timed.sort((a, b) => a.startMs - b.startMs) };
  if (plain.length > 0) return { synced: false, language, lines: plain.map((text) => ({ startMs: null, text })) };
  return null;
}

/** The first synced tag (SYLT, or LRC text in LYRICS), else the first unsynced one (USLT, LYRICS). */
export function fromTags(tags: readonly TaggedLyrics[]): Lyrics | null {
  const language = (t: TaggedLyrics) => (t.language && t.language.trim() && t.language !== 'XXX' ? t.language.trim() : null);
  const synced = tags.find((t) => (t.syncText ?? []).some((s) => typeof s.timestamp === 'number'));
  if (synced) {
    const lines = (synced.syncText ?? [])
      .filter((s) => typeof s.timestamp === 'number')
      .map((s) => ({ startMs: Math.round(s.timestamp!), text: s.text.trim() }))
      .sort((a, b) => a.startMs - b.startMs);
    return { synced: true, language: language(synced), lines };
  }
  const textOf = (t: TaggedLyrics) => t.text ?? (t.syncText ?? []).map((s) => s.text).join('\n');
  const unsynced = tags.find((t) => textOf(t).trim() !== '');
  if (!unsynced) return null;
  const text = textOf(unsynced);
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((t) => ({ startMs: null, text: t }));
  return { synced: false, language: language(unsynced), lines };
}
