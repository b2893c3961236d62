/**
 * What the fleet's lists answer, and what resolving handles needs of the fleet
 * ({@link FleetLists}): the detected deployment and its lists, without the rest of `Fleet`.
 */
import type { Agent, AgentKind, AgentSummary, WaitingFor } from "../model/agent.ts";
import type { ListFilter } from "../model/backend.ts";
import type { Deployment } from "./detect.ts";

/** A snapshot of the fleet: the agents, and back ends that failed to list. */
export interface Snapshot {
  agents: Agent[];
  /** Back ends that could not be listed, with a one-line reason. */
  errors: { kind: AgentKind; error: string }[];
  /**
   * One line per thing the caller should know about the lists: a back end that failed, or
   * malformed items that were skipped (that back end still answered).
   */
  warnings: string[];
  /** Chats: whether Coder's list told which chats wait for a licence slot (see AgentList). */
  queueFlagListed?: boolean;
}

/** The fleet as summaries, and back ends that failed to list (see `Fleet.summaries`). */
export interface SummarySnapshot {
  summaries: AgentSummary[];
  errors: Snapshot["errors"];
  /** See {@link Snapshot.warnings}. */
  warnings: string[];
  /** See {@link Snapshot.queueFlagListed}. */
  queueFlagListed?: boolean;
}

/** The filters of `list_agents`: the back ends' own, plus kind, reason waiting and time settled. */
export type FleetFilter = ListFilter & {
  kind?: AgentKind;
  waiting_for?: WaitingFor[];
  settled_for_s?: number;
};

/** The detected deployment and its lists: what resolving handles reads of the fleet. */
export interface FleetLists {
  /** The detected deployment (its user and back ends). */
  deployment(signal?: AbortSignal): Promise<Deployment>;
  /** One list request per back end (of `filter.kind`), filtered. */
  snapshot(filter?: FleetFilter, signal?: AbortSignal): Promise<Snapshot>;
}
