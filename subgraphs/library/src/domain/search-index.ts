import { foldText, searchWords } from './text-folding.js';

export type SearchKind = 'track' | 'album' | 'artist';

interface Doc {
  /** Words of the first text (title or name): matches there rank first. */
  primary: string[];
  /** Every word of every text. */
  words: string[];
  /** Folded first text, the tie-breaker. */
  key: string;
}

/** A word → ids index for one kind, with a sorted word list for prefix ranges. */
class KindIndex {
  readonly docs = new Map<string, Doc>();
  private readonly postings = new Map<string, Set<string>>();
  private sorted: string[] | null = null;

  put(id: string, texts: string[]): void {
    this.remove(id);
    const primary = [...new Set(searchWords(texts[0] ?? ''))];
    const words = [...new Set(texts.flatMap((t) => searchWords(t)))];
    for (const w of words) {
      let ids = this.postings.get(w);
      if (!ids) {
        this.postings.set(w, (ids = new Set()));
        this.sorted = null;
      }
      ids.add(id);
    }
    this.docs.set(id, { primary, words, key: foldText(texts[0] ?? '') });
  }

  remove(id: string): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    this.docs.delete(id);
    for (const w of doc.words) {
      const ids = this.postings.get(w);
      if (!ids) continue;
      ids.delete(id);
      if (ids.size === 0) {
        this.postings.delete(w);
        this.sorted = null;
      }
    }
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
    let driver: { ids: Set<string>[]; size: number } | undefined;
    for (const q of query) {
      const sets = this.wordsWithPrefix(q).map((w) => this.postings.get(w)!);
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size === 0) return [];
      if (!driver || size < driver.size) driver = { ids: sets, size };
    }
    if (!driver) return [];
    const top: { id: string; score: number; key: string }[] = [];
    const seen = new Set<string>();
    for (const ids of driver.ids) {
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const doc = this.docs.get(id)!;
        const score = scoreOf(doc, query);
        if (score < 0) continue;
        insertTop(top, { id, score, key: doc.key }, limit);
      }
    }
    return top.map((t) => t.id);
  }
}

/** -1 when a query word matches no word of the document; higher is better otherwise. */
function scoreOf(doc: Doc, query: string[]): number {
  let score = 0;
  for (const q of query) {
    if (doc.primary.includes(q)) score += 4;
    else if (doc.primary.some((w) => w.startsWith(q))) score += 3;
    else if (doc.words.includes(q)) score += 2;
    else if (doc.words.some((w) => w.startsWith(q))) score += 1;
    else return -1;
  }
  return score;
}

function better(a: { score: number; key: string }, b: { score: number; key: string }): boolean {
  return a.score > b.score || (a.score === b.score && a.key < b.key);
}

function insertTop<T extends { score: number; key: string }>(top: T[], item: T, limit: number): void {
  if (top.length === limit && !better(item, top[limit - 1]!)) return;
  let i = top.length;
  while (i > 0 && better(item, top[i - 1]!)) i--;
  top.splice(i, 0, item);
  if (top.length > limit) top.pop();
}

/**
 * Case- and accent-insensitive prefix search on words, kept in memory in step with the
 * catalogue (FerretDB has no text indexes). Every query word must prefix some word of the entry.
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
