import type { RawTags } from '../domain/tags.js';

/** What a parser worker answers for one file (structured-cloned across threads). */
export type ParseOutcome =
  | {
      ok: true;
      tags: RawTags;
      format: {
        container: string;
        codec: string;
        duration: number;
        bitrate: number | null;
        sampleRate: number | null;
        channels: number | null;
        lossless: boolean;
      };
      picture: { data: Uint8Array; mimeType: string } | null;
    }
  | { ok: false; reason: string };

export interface ParseTask {
  id: number;
  path: string;
}

/** Tasks travel in batches: one message per file costs more than parsing a small one. */
export type ParseBatch = ParseTask[];

export interface ParseReply {
  id: number;
  outcome: ParseOutcome;
}
