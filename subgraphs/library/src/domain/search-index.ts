import { searchWords } from './text-folding.js';

export type SearchKind = 'track' | 'album' | 'artist';

interface Candidate {
  slot: number;
  score: number;
}

/** A growable Int32Array (the JS array alternative costs 2-4x the memory). */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Word → entries for one kind, in compact arrays: each entry is a numbered slot whose word IDs
 * sit in one shared pool (own title or name first), each word string is stored once, and
 * postings are slot lists per word. At 100,000 tracks this is about 10 MB.
 */
class KindIndex {
  private readonly slotOf = new Map<string, number>();
  private readonly ids: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly start = new IntList();
  private readonly count = new IntList();
  private readonly primary = new IntList();
  private pool = new IntList();
  private garbage = 0;
  private readonly wordIdOf = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly postings: number[][] = [];
  private readonly freeWords: number[] = [];
  private sorted: string[] | null = null;
  /** Dedupe marks for one search: `seen[slot] === round` (cheaper than a Set of 100,000). */
  private seen = new Uint32Array(0);
  private round = 0;

  put(id: string, texts: string[]): void {
    this.remove(id);
    const primaryWords = new Set(searchWords(texts[0] ?? ''));
    const all = new Set(primaryWords);
    for (const t of texts.slice(1)) for (const w of searchWords(t)) all.add(w);
    const slot = this.free.pop() ?? this.ids.length;
    this.slotOf.set(id, slot);
    this.ids[slot] = id;
    this.setAt(this.start, slot, this.pool.length);
    this.setAt(this.count, slot, all.size);
    this.setAt(this.primary, slot, primaryWords.size);
    for (const w of all) {
      let wordId = this.wordIdOf.get(w);
      if (wordId === undefined) {
        wordId = this.freeWords.pop() ?? this.words.length;
        this.wordIdOf.set(w, wordId);
        this.words[wordId] = w;
        this.postings[wordId] = [];
        this.sorted = null;
      }
      this.postings[wordId]!.push(slot);
      this.pool.push(wordId);
    }
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const from = this.start.data[slot]!;
    const n = this.count.data[slot]!;
    for (let i = from; i < from + n; i++) {
      const wordId = this.pool.data[i]!;
      const list = this.postings[wordId]!;
      const at = list.indexOf(slot);
      if (at >= 0) {
        list[at] = list[list.length - 1]!;
        list.pop();
      }
      if (list.length === 0) {
        this.wordIdOf.delete(this.words[wordId]!);
        this.freeWords.push(wordId);
        this.sorted = null;
      }
    }
    this.garbage += n;
    this.count.data[slot] = 0;
    this.slotOf.delete(id);
    this.ids[slot] = undefined;
    this.free.push(slot);
    if (this.garbage > 100_000 && this.garbage > this.pool.length / 2) this.compact();
  }

  private setAt(list: IntList, slot: number, value: number): void {
    while (list.length <= slot) list.push(0);
    list.data[slot] = value;
  }

  /** Rewrites the pool without the word IDs of replaced and removed entries. */
  private compact(): void {
    const pool = new IntList();
    for (let slot = 0; slot < this.ids.length; slot++) {
      const from = this.start.data[slot]!;
      const n = this.count.data[slot]!;
      this.start.data[slot] = pool.length;
      for (let i = from; i < from + n; i++) pool.push(this.pool.data[i]!);
    }
    this.pool = pool;
    this.garbage = 0;
  }

  /** Word IDs whose word starts with `prefix`, by binary search in the sorted word list. */
  private wordsWithPrefix(prefix: string): number[] {
    this.sorted ??= [...this.wordIdOf.keys()].sort();
    const words = this.sorted;
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (words[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < words.length && words[i]!.startsWith(prefix); i++) out.push(this.wordIdOf.get(words[i]!)!);
    return out;
  }

  search(query: string[], limit: number): string[] {
    // Drive with the most selective query word, then check the others on each candidate.
    let driver: number[][] | undefined;
    let driverSize = Infinity;
    for (const q of query) {
      const lists = this.wordsWithPrefix(q).map((w) => this.postings[w]!);
      const size = lists.reduce((n, l) => n + l.length, 0);
      if (size === 0) return [];
      if (size < driverSize) {
        driver = lists;
        driverSize = size;
      }
    }
    if (!driver) return [];
    const top: Candidate[] = [];
    if (this.seen.length < this.ids.length) this.seen = new Uint32Array(Math.max(1024, this.ids.length * 2));
    const seen = this.seen;
    const round = (this.round = (this.round + 1) >>> 0 || 1);
    for (const list of driver) {
      for (const slot of list) {
        if (seen[slot] === round) continue;
        seen[slot] = round;
        const score = this.scoreOf(slot, query);
        if (score < 0) continue;
        // Most candidates cannot enter a full top list: decide that before allocating.
        if (top.length === limit && !this.better(score, slot, top[limit - 1]!)) continue;
        this.insertTop(top, { slot, score }, limit);
      }
    }
    return top.map((c) => this.ids[c.slot]!);
  }

  /** -1 when a query word prefixes no word of the entry; own-title words and whole words score higher. */
  private scoreOf(slot: number, query: string[]): number {
    const pool = this.pool.data;
    const from = this.start.data[slot]!;
    const n = this.count.data[slot]!;
    const primary = this.primary.data[slot]!;
    let score = 0;
    for (let j = 0; j < query.length; j++) {
      const q = query[j]!;
      let best = -1;
      for (let i = 0; i < n && best < 4; i++) {
        const w = this.words[pool[from + i]!]!;
        if (!w.startsWith(q)) continue;
        const s = (i < primary ? 3 : 1) + (w.length === q.length ? 1 : 0);
        if (s > best) best = s;
      }
      if (best < 0) return -1;
      score += best;
    }
    return score;
  }

  private better(score: number, slot: number, b: Candidate): boolean {
    if (score !== b.score) return score > b.score;
    // Ties: alphabetical by the entry's own words, then by slot for a total order.
    const pool = this.pool.data;
    const x = this.start.data[slot]!;
    const y = this.start.data[b.slot]!;
    const px = this.primary.data[slot]!;
    const py = this.primary.data[b.slot]!;
    for (let i = 0; i < Math.min(px, py); i++) {
      const wx = this.words[pool[x + i]!]!;
      const wy = this.words[pool[y + i]!]!;
      if (wx !== wy) return wx < wy;
    }
    return px !== py ? px < py : slot < b.slot;
  }

  private insertTop(top: Candidate[], item: Candidate, limit: number): void {
    let i = top.length;
    while (i > 0 && this.better(item.score, item.slot, top[i - 1]!)) i--;
    top.splice(i, 0, item);
    if (top.length > limit) top.pop();
  }
}

/**
 * Case- and accent-insensitive prefix search on words, kept in memory in step with the
 * catalogue (FerretDB has no text indexes). Every query word must prefix some word of the entry;
 * matches in the entry's own title or name rank first, whole-word matches before prefixes.
 */
export class SearchIndex {
  private readonly kinds: Record<SearchKind, KindIndex> = { track: new KindIndex(), album: new KindIndex(), artist: new KindIndex() };

  /** `texts[0]` is the entry's own title or name; the rest (artists, album) also match. */
  put(kind: SearchKind, id: string, texts: string[]): void {
    this.kinds[kind].put(id, texts);
  }

  remove(kind: SearchKind, id: string): void {
    this.kinds[kind].remove(id);
  }

  search(kind: SearchKind, query: string, limit: number): string[] {
    const words = [...new Set(searchWords(query))];
    if (words.length === 0) return [];
    return this.kinds[kind].search(words, limit);
  }
}
