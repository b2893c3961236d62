/**
 * What fleet_overview should say, worked out from the sim's truth in the tests' own words (not
 * the tool's constants): counts of a truth map, and the "Waiting on you" line.
 */

/** Counts of a truth map's values (null counted as `none`, when given; else left out). */
export function countsOf(
  m: Record<string, string | null>,
  none?: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of Object.values(m)) {
    const k = v ?? none;
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The reasons the overview says, in its words and order. */
const REASONS: [string, string][] = [
  ["action", "need a decision"],
  ["review", "wait for review"],
  ["reply", "replied"],
  ["fix", "failed"],
  ["resume", "paused"],
  ["nothing", "done"],
];

/** `N need a decision, N wait for review, ...` for the reasons counted (none left out). */
export function reasonsSaid(counts: Record<string, number>): string[] {
  return REASONS.filter(([w]) => counts[w]).map(([w, s]) => `${counts[w]} ${s}`);
}
