/**
 * The `list_agents` filters, defined once: `list_agents` and `wait_for_agents` take them as
 * arguments, and the write tools as `where`. {@link toFleetFilter} turns them into the fleet's
 * filter.
 */
import { z } from "zod";
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
    "Case-insensitive text that the name or the latest message contains.",
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
