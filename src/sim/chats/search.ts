/**
 * The chat list's `search:` term as Coder runs it (reference §1): Postgres full-text search with
 * the English configuration over titles, PR titles and numbers and message bodies. Words are
 * matched by stem, not as substrings ("leaks" finds "leaking", "auth" does not find
 * "authentication"), every word must match, stopwords are ignored, and a value with no
 * searchable word finds nothing.
 */

/** Postgres' English stopwords (`english.stop`). */
const STOPWORDS = new Set(
  ("i me my myself we our ours ourselves you your yours yourself yourselves he him his himself " +
    "she her hers herself it its itself they them their theirs themselves what which who whom " +
    "this that these those am is are was were be been being have has had having do does did " +
    "doing a an the and but if or because as until while of at by for with about against " +
    "between into through during before after above below to from up down in out on off over " +
    "under again further then once here there when where why how all any both each few more " +
    "most other some such no nor not only own same so than too very s t can will just don " +
    "should now").split(" "),
);

/** A crude English stem: enough to make "leaks", "leaking" and "leaked" one word. */
function stem(word: string): string {
  for (const suffix of ["ing", "ed", "es", "s"]) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
      return word.slice(0, -suffix.length);
    }
  }
  return word;
}

/** The searchable stems of a text. */
export function stems(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => !STOPWORDS.has(w)).map(stem);
}

/** True when every searchable word of `query` is in `text` (false when it has none). */
export function fullTextMatch(query: string[], text: string): boolean {
  if (query.length === 0) return false;
  const have = new Set(stems(text));
  return query.every((q) => have.has(q));
}
