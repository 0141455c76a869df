/**
 * Text folding shared by search, sorting and identity: what makes "Beyoncé", "BEYONCE" and
 * "beyonce" the same word.
 */

// Letters NFKD does not decompose into a base letter plus marks.
const SPECIAL_LETTERS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ŧ: 't', ħ: 'h' };
const SPECIAL_RE = /[ßæœøđðłþıŧħ]/g;

// Most tags are plain ASCII: lower-casing is all they need (the Unicode path costs 10x more).
// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
const ASCII_RE = /^[\x00-\x7f]*$/;

/** Case- and accent-insensitive form of a string. */
export function foldText(text: string): string {
  if (ASCII_RE.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c);
}

/**
 * The searchable words of a string. Apostrophes join ("don't" → "dont") so a query typed with
 * or without them matches; every other non-letter, non-digit character separates words.
 */
export function searchWords(text: string): string[] {
  return foldText(text)
    .replace(/['’`´]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Folded and whitespace-collapsed: equal keys mean "the same name" (IDs are derived from it). */
export function nameKey(text: string): string {
  return foldText(text).replace(/\s+/g, ' ').trim();
}

// Leading articles ignored when sorting names and titles ("The Beatles" sorts as "Beatles").
const ARTICLES = ['the', 'a', 'an', 'le', 'la', 'les', 'el', 'los', 'las', 'die', 'der', 'das'];
const ARTICLE_RE = new RegExp(`^(?:${ARTICLES.join('|')})\\s+(?=\\S)`, 'i');

/** Display sort name: "The Beatles" → "Beatles, The". */
export function sortNameOf(name: string): string {
  const match = ARTICLE_RE.exec(name);
  if (!match) return name;
  return `${name.slice(match[0].length)}, ${match[0].trim()}`;
}

/** The string names and titles are compared by: folded, articles dropped. */
export function sortKeyOf(text: string): string {
  return nameKey(text).replace(ARTICLE_RE, '');
}
