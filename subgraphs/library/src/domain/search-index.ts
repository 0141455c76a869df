import { searchWords } from './text-folding.js';

export type SearchKind = 'track' | 'album' | 'artist';

/** An entry's distinct words, its own title or name first (`primary` of them). */
interface Doc {
  words: string[];
  primary: number;
}

interface Candidate {
  slot: number;
  score: number;
}

/**
 * Word → entries for one kind. Entries are numbered slots and postings are plain number
 * arrays, and each word string is stored once: at 100,000 tracks this is a few MB.
 */
class KindIndex {
  private readonly slots = new Map<string, number>();
  private readonly ids: (string | undefined)[] = [];
  private readonly docs: (Doc | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly postings = new Map<string, { word: string; slots: number[] }>();
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
    const words: string[] = [];
    for (const w of all) {
      let posting = this.postings.get(w);
      if (!posting) {
        this.postings.set(w, (posting = { word: w, slots: [] }));
        this.sorted = null;
      }
      posting.slots.push(slot);
      words.push(posting.word);
    }
    this.slots.set(id, slot);
    this.ids[slot] = id;
    this.docs[slot] = { words, primary: primaryWords.size };
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    for (const w of this.docs[slot]!.words) {
      const posting = this.postings.get(w);
      if (!posting) continue;
      const i = posting.slots.indexOf(slot);
      if (i >= 0) {
        posting.slots[i] = posting.slots[posting.slots.length - 1]!;
        posting.slots.pop();
      }
      if (posting.slots.length === 0) {
        this.postings.delete(w);
        this.sorted = null;
      }
    }
    this.slots.delete(id);
    this.ids[slot] = undefined;
    this.docs[slot] = undefined;
    this.free.push(slot);
  }

  /** Index words starting with `prefix`, found by binary search in the sorted word list. */
  private wordsWithPrefix(prefix: string): string[] {
    this.sorted ??= [...this.postings.keys()].sort();
    const words = this.sorted;
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (words[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < words.length && words[i]!.startsWith(prefix); i++) out.push(words[i]!);
    return out;
  }

  search(query: string[], limit: number): string[] {
    // Drive with the most selective query word, then check the others on each candidate.
    let driver: number[][] | undefined;
    let driverSize = Infinity;
    for (const q of query) {
      const lists = this.wordsWithPrefix(q).map((w) => this.postings.get(w)!.slots);
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
        const score = scoreOf(this.docs[slot]!, query);
        if (score < 0) continue;
        // Most candidates cannot enter a full top list: decide that before allocating.
        if (top.length === limit && !this.better(score, slot, top[limit - 1]!)) continue;
        this.insertTop(top, { slot, score }, limit);
      }
    }
    return top.map((c) => this.ids[c.slot]!);
  }

  private better(score: number, slot: number, b: Candidate): boolean {
    if (score !== b.score) return score > b.score;
    // Ties: alphabetical by the entry's own words, then by slot for a total order.
    const x = this.docs[slot]!;
    const y = this.docs[b.slot]!;
    const n = x.primary < y.primary ? x.primary : y.primary;
    for (let i = 0; i < n; i++) {
      if (x.words[i] !== y.words[i]) return x.words[i]! < y.words[i]!;
    }
    return x.primary !== y.primary ? x.primary < y.primary : slot < b.slot;
  }

  private insertTop(top: Candidate[], item: Candidate, limit: number): void {
    let i = top.length;
    while (i > 0 && this.better(item.score, item.slot, top[i - 1]!)) i--;
    top.splice(i, 0, item);
    if (top.length > limit) top.pop();
  }
}

/** -1 when a query word prefixes no word of the entry; higher is better otherwise. */
function scoreOf(doc: Doc, query: string[]): number {
  const words = doc.words;
  let score = 0;
  for (let j = 0; j < query.length; j++) {
    const q = query[j]!;
    let best = -1;
    for (let i = 0; i < words.length && best < 4; i++) {
      const w = words[i]!;
      if (!w.startsWith(q)) continue;
      const s = (i < doc.primary ? 3 : 1) + (w.length === q.length ? 1 : 0);
      if (s > best) best = s;
    }
    if (best < 0) return -1;
    score += best;
  }
  return score;
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
