/**
 * Whether a `list_agents` query can go to Coder as the chat list's `search:` term (reference §1).
 * Coder's search is Postgres full-text search with the English configuration: stopwords are
 * ignored, and a value with no searchable word finds nothing. Such a query (or one that the
 * search syntax cannot hold) stays with the fleet's own matching.
 */
import { qTerm } from "./api.ts";

/** Postgres' English stopwords: words Coder's search cannot find. */
const POSTGRES_ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  ..."i me my myself we our ours ourselves you your yours yourself yourselves".split(" "),
  ..."he him his himself she her hers herself it its itself".split(" "),
  ..."they them their theirs themselves what which who whom this that these those".split(" "),
  ..."am is are was were be been being have has had having do does did doing".split(" "),
  ..."a an the and but if or because as until while of at by for with about".split(" "),
  ..."against between into through during before after above below to from up".split(" "),
  ..."down in out on off over under again further then once here there when".split(" "),
  ..."where why how all any both each few more most other some such no nor not".split(" "),
  ..."only own same so than too very s t can will just don should now".split(" "),
]);

/**
 * The `search:` term for `query`, or undefined when Coder cannot run it: it has no searchable
 * word (only stopwords or punctuation), or the search syntax cannot quote it.
 */
export function searchTerm(query: string | undefined): string | undefined {
  if (!query) return undefined;
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.some((w) => !POSTGRES_ENGLISH_STOPWORDS.has(w))) return undefined;
  return qTerm("search", query.trim());
}
