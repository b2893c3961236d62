/**
 * The `list_agents` filters, defined once: `list_agents` and `wait_for_agents` take them as
 * arguments, and the write tools as `where`. {@link toFleetFilter} turns them into the fleet's
 * filter.
 */
import { z } from "zod";
import { FleetError } from "../model/backend.ts";
import type { FleetFilter } from "../fleet/fleet.ts";
import {
  Kind,
  LabelInput,
  listOf,
  NameInput,
  OwnerInput,
  parseLabel,
  PrInput,
  QueryInput,
  stateList,
  StatesInput,
  WaitingForInput,
} from "./schemas.ts";

/** The filter fields (a zod shape: spread it into a tool's input, or wrap it in an object). */
export const FILTER_FIELDS = {
  state: StatesInput.optional().describe(
    "Only agents in this state or these states (starting, working, idle, complete, failed, paused, error, unknown): one, or a list.",
  ),
  waiting_for: WaitingForInput.optional().describe(
    "Only settled agents waiting on: action (a decision), reply, review (of their PR), fix (failed), resume (paused), nothing (done). One, or a list.",
  ),
  pr: PrInput.optional().describe(
    "Only agents whose pull request is draft, open, merged or closed, or none (no PR). One, or a list.",
  ),
  owner: OwnerInput.optional().describe("Only agents of this username."),
  kind: Kind.optional().describe("Only tasks or only chats."),
  template: NameInput.optional().describe("Only tasks of this template name."),
  label: LabelInput.optional().describe("Only chats with this label, as key:value."),
  query: QueryInput.optional().describe(
    "Case-insensitive text that the name or the latest message contains; chats on a Coder that runs its own search (v2.39) match its words in the title, pull request and whole conversation instead.",
  ),
  settled_for_s: z.number().int().min(0).optional().describe(
    "Only settled agents (idle, complete, failed, paused, error, unknown) that have been so for at least this many seconds.",
  ),
};

/** The filter arguments as given. */
export type FilterArgs = { [K in keyof typeof FILTER_FIELDS]?: z.infer<typeof FILTER_FIELDS[K]> };

/** The fleet's filter of the arguments (`state` as a list, `label` parsed). */
export function toFleetFilter(args: FilterArgs): FleetFilter {
  const { state, label, waiting_for, pr, ...rest } = args;
  return {
    ...rest,
    state: stateList(state),
    labels: parseLabel(label),
    waiting_for: listOf(waiting_for),
    pr: listOf(pr),
  };
}

/** True when any filter is given. */
export function hasFilter(args: FilterArgs): boolean {
  return (Object.keys(FILTER_FIELDS) as (keyof FilterArgs)[]).some((k) => args[k] !== undefined);
}

/** Each filter in a word or two for `where` (a filter missing here reads "as list_agents"). */
const WHERE_NOTES: { [K in keyof typeof FILTER_FIELDS]?: string } = {
  state: "state(s)",
  waiting_for: "reason(s)",
  pr: "PR state(s) or none",
  owner: "username",
  kind: "task or chat",
  template: "name",
  label: "key:value",
  query: "text",
  settled_for_s: "seconds",
};

const FILTER_NAMES = Object.keys(FILTER_FIELDS) as (keyof typeof FILTER_FIELDS)[];

/** Unknown filters in `where` are refused, naming the ones it takes. */
const unknownFilter = (iss: { code: string; keys?: string[] }) =>
  iss.code === "unrecognized_keys"
    ? `Unknown filter ${
      (iss.keys ?? []).map((k) => JSON.stringify(k.slice(0, 40))).join(", ")
    }: where takes only ${FILTER_NAMES.join(", ")}. Nothing was done. ` +
      "Next: call again without it."
    : undefined;

/**
 * `where` of the write tools as tools/list shows it: the filters' names, each with a word or two
 * (list_agents describes them in full); {@link parseWhere} checks their values with the very
 * schemas of {@link FILTER_FIELDS}. Four tools repeat `where`: their full schemas there would
 * grow tools/list by a tenth.
 */
export const WhereInput = z.strictObject(
  Object.fromEntries(
    FILTER_NAMES.map((
      k,
    ) => [k, z.unknown().optional().describe(WHERE_NOTES[k] ?? "as list_agents")]),
  ) as { [K in keyof typeof FILTER_FIELDS]: z.ZodOptional<z.ZodUnknown> },
  { error: unknownFilter },
);

const FILTERS = z.strictObject(FILTER_FIELDS, { error: unknownFilter });

/** Check `where`'s values against the filters' schemas; a FleetError says what is wrong. */
export function parseWhere(where: Record<string, unknown>): FilterArgs {
  const r = FILTERS.safeParse(where);
  if (r.success) return r.data;
  const what = r.error.issues.map((i) =>
    i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message
  ).join("; ");
  throw new FleetError(
    `where is not valid: ${what}. Nothing was done.`,
    "Give each filter as list_agents takes it (its schema in tools/list), then call again.",
  );
}
