/** Mutants of Outcomes (issue 20): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

const WHERE = ["tests/e2e/where_e2e_test.ts"];

/** The list. */
export const OUTCOMES: Mutant[] = [
  // --- where and dry_run ----------------------------------------------------------------------
  {
    id: "where-dry-run-acts",
    breaks: "a dry run over a where selection sends the writes (issue 20, item 4)",
    file: "src/tools/actions.ts",
    find: "    if (opts.dryRun) {",
    replace: "    if (opts.dryRun && !selected.byFilter) {",
    tests: WHERE,
  },
  {
    id: "send-dry-run-sends",
    breaks: "send_input with dry_run sends the message (issue 20, item 4)",
    file: "src/tools/send_input.ts",
    find: "    const results = dry_run\n      ? previewSend(targets, opts, refusal)",
    replace: "    const results = false\n      ? previewSend(targets, opts, refusal)",
    tests: WHERE,
  },
  {
    id: "where-over-100-acts",
    breaks: "a where matching more than 100 agents acts on them all, not refused with the count",
    file: "src/fleet/select.ts",
    find: "if (matched.length > SELECT_MAX) {",
    replace: "if (matched.length > SELECT_MAX * 10) {",
    tests: WHERE,
  },
  {
    id: "where-drops-owner",
    breaks: "where acts on agents outside the filter: the owner filter is dropped in the selection",
    file: "src/fleet/select.ts",
    find: "const snap = await fleet.snapshot(where, signal);",
    replace: "const snap = await fleet.snapshot({ ...where, owner: undefined }, signal);",
    tests: WHERE,
  },
  {
    id: "where-drops-label",
    breaks: "where acts on agents outside the filter: the label filter is dropped in the selection",
    file: "src/fleet/select.ts",
    find: "const snap = await fleet.snapshot(where, signal);",
    replace: "const snap = await fleet.snapshot({ ...where, labels: undefined }, signal);",
    tests: WHERE,
  },
  {
    id: "where-and-agents-both",
    breaks: "agents and where given together are accepted (where silently ignored)",
    file: "src/fleet/select.ts",
    find: "if (sel.agents !== undefined && sel.where !== undefined) {",
    replace: "if (sel.agents !== undefined && sel.where !== undefined && !sel.agents) {",
    tests: WHERE,
  },
  {
    id: "where-empty-selects-all",
    breaks: "where: {} selects every agent instead of being refused",
    file: "src/fleet/select.ts",
    find: "if (!filters(where)) {",
    replace: "if (where === undefined) {",
    tests: WHERE,
  },
  {
    id: "where-partial-fleet-acts",
    breaks: "where acts on the back ends that listed when another one failed (a partial selection)",
    file: "src/fleet/select.ts",
    find: "if (snap.errors.length > 0) {",
    replace: "if (snap.errors.length > 1) {",
    tests: WHERE,
  },
  {
    id: "where-unordered",
    breaks: "where's matches are not reported newest first, as list_agents shows them",
    file: "src/fleet/select.ts",
    find: "const matched = snap.agents.sort(compareAgents);",
    replace: "const matched = snap.agents;",
    tests: WHERE,
  },
  {
    id: "where-values-unchecked",
    breaks: "where's filter values are not checked (a bad state filters nothing and acts on all)",
    file: "src/tools/actions.ts",
    find: "where: args.where && toFleetFilter(parseWhere(args.where))",
    replace: "where: args.where && toFleetFilter(args.where as never)",
    tests: WHERE,
  },
];
