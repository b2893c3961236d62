/**
 * The arithmetic of `deno task mutate --sample`: a seeded shuffle of the pool (the same seed
 * gives the same sample), the ignore list's matching, and the score's confidence interval.
 */

/** A mutant as the sampler and the ignore list see it. */
export interface Edit {
  file: string;
  line: number;
  /** Where on the line the edit starts (1-based, as in the mutant's id). */
  column?: number;
  before: string;
  after: string;
}

/** A survivor shown to be equivalent: it cannot change what the program does. */
export interface Ignored {
  file: string;
  /** Only the mutant on this line (optional: without it, the edit anywhere in the file). */
  line?: number;
  /** And at this column of it, where one line holds the same edit twice (optional). */
  column?: number;
  /** The text replaced and its replacement, as the report shows them (whitespace is free). */
  before: string;
  after: string;
  /** Why no test can tell the mutant from the program. */
  why: string;
}

/** Mulberry32: a small seeded generator of floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The pool in the order a seed draws it (Fisher-Yates): every mutant equally likely at every
 * place, so the first N are a uniform sample of N, and the same seed draws the same order.
 */
export function shuffled<T>(pool: readonly T[], seed: number): T[] {
  const out = [...pool];
  const rand = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Whitespace runs as one space, trimmed: how edits are shown and matched. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The ignore entry that covers this mutant, if any. */
export function ignoredBy(m: Edit, list: readonly Ignored[]): Ignored | undefined {
  return list.find((e) =>
    e.file === m.file && (e.line === undefined || e.line === m.line) &&
    (e.column === undefined || e.column === m.column) &&
    oneLine(e.before) === oneLine(m.before) && oneLine(e.after) === oneLine(m.after)
  );
}

/** The edit in one line, long sides shortened: `before -> after`. */
export function showEdit(m: Pick<Edit, "before" | "after">, max = 120): string {
  const cut = (s: string) => {
    const t = oneLine(s);
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  };
  return `${cut(m.before)} -> ${cut(m.after) || "(nothing)"}`;
}

/**
 * The Wilson score interval of `killed` out of `n` at 95% (z = 1.96): unlike the plain
 * p +/- z*sqrt(p(1-p)/n), it stays inside [0, 1] and is honest at 30/30.
 */
export function wilson(killed: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = killed / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
