/**
 * Generated mutants (`deno task mutate --sample`) that survive because they cannot change what
 * the program does: equivalent, not untested. The sampler skips each and reports it as "ignored
 * (equivalent)". Each entry names the file, the exact edit as the report shows it, and why no
 * test could tell the mutant from the program; `line` only where the edit's text occurs more
 * than once in the file. A survivor that CAN change behaviour is a gap: it gets a test, not an
 * entry here. `deno task mutate --pool` lists entries that match no mutant any more.
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED: Ignored[] = [
  {
    file: "src/fleet/resolve.ts",
    before: "agents.length > 1",
    after: "agents.length >= 1",
    why: "the line above returns when there is exactly one agent, so here the length is 0 or " +
      "at least 2, and `> 1` and `>= 1` agree on both",
  },
  {
    file: "src/coder/fast_check.ts",
    before: "return hit ?? undefined;",
    after: "{}",
    why: "the memo of compiled checks: without the early return the schema is compiled again " +
      "and stored again; compile is pure, so every check gives the same answer, only slower " +
      "(a time no test may assert)",
  },
  {
    file: "src/model/backend.ts",
    before: 'this.name = "FleetError";',
    after: "",
    why: "nothing reads a FleetError's name: it is told by instanceof and rendered from message " +
      "and next (tools/errors.ts); only a stack trace would say Error for FleetError",
  },
  {
    file: "src/backends/chats/watch.ts",
    before: "5_000",
    after: "4999",
    why: "the reconnect back-off's cap one millisecond shorter: below timer jitter, and a test " +
      "may not time it; the cap itself (5 s, not 200 ms * 2^5) is a different mutant",
  },
  {
    file: "src/model/text.ts",
    before: 'if (PLAIN.test(s)) return s.length > max ? s.slice(0, max - 1) + "…" : s;',
    after: "",
    why: "oneLine's shortcut for plain ASCII: without it the text takes the slow path, which " +
      "gives the same line for such text (cleaning and folding leave it unchanged; " +
      "tests/backends/summary_test.ts proves the two agree), only slower",
  },
  {
    file: "src/model/text.ts",
    before: 'return s.length > max ? s.slice(0, max - 1) + "…" : s;',
    after: "{}",
    why: "the same shortcut's return dropped: plain ASCII falls through to the slow path, " +
      "which gives the same line for it (see the entry above), only slower",
  },
  {
    file: "src/tools/fleet_overview.ts",
    before: "a[0] < b[0]",
    after: "a[0] <= b[0]",
    why: "the owners' ranking breaks ties by name, and the names are an object's keys: two " +
      "entries never have the same name, so `<` and `<=` agree on every pair compared",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 35,
    before: "0",
    after: "(-1)",
    why: "urgency() only ranks: the attention sort subtracts two urgencies, so -1 and 1 order " +
      "a decision or a failure first exactly as 0 and 1 do",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 35,
    before: "1",
    after: "2",
    why: "urgency() only ranks: the attention sort subtracts two urgencies, so 0 and 2 order " +
      "a decision or a failure first exactly as 0 and 1 do",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    before: "r.already.slice(0, ALREADY_MAX)",
    after: "r.already",
    why: "the wait's first view already keeps at most alreadyMax agents in `already` " +
      "(fleet/watching.ts), and the tool passes ALREADY_MAX: the slice never cuts",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    line: 149,
    before: "0",
    after: "1",
    why: "`watch?.length ?? 0` is read only when agents were named, and then `watch` is set: " +
      "the fallback is never used",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    line: 149,
    before: "0",
    after: "(-1)",
    why: "`watch?.length ?? 0` is read only when agents were named, and then `watch` is set: " +
      "the fallback is never used",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    before: "fresh && r.already_total",
    after: "fresh || r.already_total",
    why: "a wait on named agents sets none aside (its first view's already_total is 0), so " +
      "without `fresh` both read 0: the line is empty either way",
  },
];
