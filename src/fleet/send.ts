/**
 * `send_input` policy: message many agents at once, deciding per agent what to do when it is
 * busy (`if_busy`):
 *
 * - `wait` (default): send to settled agents now; resume paused tasks first; watch the busy ones
 *   with ONE list request per back end per round and send as each settles; a 409 puts the agent
 *   back on the watch list, until `wait_s` runs out.
 * - `fail`: send only to settled agents; report the busy ones as `busy`, sending nothing.
 * - `queue` / `interrupt`: chats queue the message, or interrupt the current turn. Coder Tasks
 *   cannot queue or interrupt: an idle task gets the message, a busy one is reported `busy`.
 *
 * {@link previewSend} is the dry run: the same first decision per agent ({@link planSend}), told
 * instead of done, and no request at all.
 */
import { type Agent, isSettled } from "../model/agent.ts";
import { AgentBusyError, type FleetError } from "../model/backend.ts";
import { runBatch } from "../model/batch.ts";
import type { Fleet, Resolved, Round } from "./fleet.ts";
import { duplicateDetail } from "./resolve.ts";
import { newCallId, requestIdFor } from "./request_id.ts";
import { errorLine } from "../model/text.ts";

/** What to do with a busy agent. */
export type IfBusy = "wait" | "queue" | "interrupt" | "fail";

/** One agent's outcome. */
export interface SendOutcome {
  agent: string;
  id?: string;
  kind?: Agent["kind"];
  outcome: "sent" | "queued" | "busy" | "failed" | "uncertain" | "duplicate" | "would";
  detail: string;
}

/** How a failed write is reported: `uncertain` when it may have happened. */
export type WriteFailure = (err: unknown) => { outcome: "failed" | "uncertain"; detail: string };

/** Options of {@link sendInput}. */
export interface SendOptions {
  input: string;
  ifBusy: IfBusy;
  waitMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  onRound?: (round: number, done: number, total: number) => void | Promise<void>;
  /** How a failed send or resume is reported (default: failed, with the error's message). */
  failure?: WriteFailure;
  /** The tool call's id: each item's request id derives from it (idempotent chat sends). */
  callId?: string;
}

/** Can this agent take input right now, as far as its state tells? */
function ready(a: Agent): boolean {
  return isSettled(a.state) && a.state !== "paused" && !(a.kind === "task" && a.state === "error");
}

/** What `send_input` does first with one agent, by its state and the `if_busy` policy. */
export type SendStep =
  /** Send now (a chat with `queue`/`interrupt`: with that busy behaviour). */
  | { step: "send"; busy?: "queue" | "interrupt" }
  /** Not ready: watch it and send once it is (a paused task is resumed first). */
  | { step: "wait" }
  /** Not ready, and the policy does not wait: nothing is sent. */
  | { step: "busy"; detail: string };

/** The first decision of {@link sendInput} for one agent. */
export function planSend(a: Agent, ifBusy: IfBusy): SendStep {
  if (a.kind === "chat" && (ifBusy === "queue" || ifBusy === "interrupt")) {
    return { step: "send", busy: ifBusy };
  }
  if (ready(a)) return { step: "send" };
  if (ifBusy === "wait") return { step: "wait" };
  return {
    step: "busy",
    detail: a.kind === "task" && ifBusy !== "fail"
      ? `task is ${a.state}; Coder Tasks cannot queue or interrupt input: retry with if_busy=wait, or later`
      : `agent is ${a.state}; nothing sent (if_busy=fail): retry later or use if_busy=wait`,
  };
}

/** Every target's row before anything is sent: resolution failures and duplicates final. */
function initialRows(targets: Resolved[]): SendOutcome[] {
  return targets.map((t) =>
    "error" in t
      ? { agent: t.handle, outcome: "failed", detail: `${t.error.message} Next: ${t.error.next}` }
      : {
        agent: t.handle,
        id: t.agent.id,
        kind: t.agent.kind,
        outcome: t.duplicateOf !== undefined ? "duplicate" : "failed",
        detail: t.duplicateOf !== undefined
          ? duplicateDetail(targets, t.duplicateOf)
          : "not attempted",
      }
  );
}

/**
 * The dry run of {@link sendInput}: what it would do with each agent (`would`, or `busy` when
 * the policy sends nothing), from the agents as selected. Sends no request.
 */
export function previewSend(
  targets: Resolved[],
  opts: Pick<SendOptions, "ifBusy" | "waitMs">,
  refusal?: (a: Agent) => FleetError | undefined,
): SendOutcome[] {
  const out = initialRows(targets);
  const policy = `if_busy=${opts.ifBusy}`;
  targets.forEach((t, i) => {
    if ("error" in t || t.duplicateOf !== undefined) return;
    const a = t.agent;
    const refused = refusal?.(a);
    if (refused) {
      out[i] = { ...out[i], outcome: "failed", detail: `${refused.message} Next: ${refused.next}` };
      return;
    }
    const plan = planSend(a, opts.ifBusy);
    const resume = a.kind === "task" && a.state === "paused" ? "resume, then " : "";
    const detail = plan.step === "busy"
      ? plan.detail
      : plan.step === "wait"
      ? `${resume}send once ready (${a.state}; ${policy}, up to ${
        Math.round(opts.waitMs / 1000)
      } s)`
      : plan.busy && !ready(a)
      ? `${
        plan.busy === "queue" ? "queue behind" : "interrupt"
      } the current turn (${a.state}; ${policy})`
      : `send (${a.state}; ${policy})`;
    out[i] = { ...out[i], outcome: plan.step === "busy" ? "busy" : "would", detail };
  });
  return out;
}

/** Send `input` to every resolved agent, with the `if_busy` policy. Reports every agent. */
export async function sendInput(
  fleet: Fleet,
  targets: Resolved[],
  opts: SendOptions,
): Promise<SendOutcome[]> {
  const failure: WriteFailure = opts.failure ??
    ((err) => ({ outcome: "failed", detail: errorLine(err) }));
  const out = initialRows(targets);
  const start = fleet.now();
  // Index of each target still to be sent, with its latest view.
  let waiting = new Map<number, Agent>();
  const callId = opts.callId ?? newCallId();
  // A fresh request id per item after each definite refusal (busy): a lost answer reuses it.
  const refused = new Map<number, number>();
  const attempt = async (i: number, a: Agent, busy?: "queue" | "interrupt") => {
    const backend = await fleet.backendOf(a, opts.signal);
    try {
      const requestId = requestIdFor(callId, i, refused.get(i) ?? 0);
      const r = await backend.send(a, opts.input, busy, requestId);
      out[i] = { ...out[i], outcome: r.outcome, detail: r.detail };
      return true;
    } catch (err) {
      if (err instanceof AgentBusyError) {
        refused.set(i, (refused.get(i) ?? 0) + 1);
        out[i] = { ...out[i], outcome: "busy", detail: err.message };
        return false;
      }
      out[i] = { ...out[i], ...failure(err) };
      return true;
    }
  };

  // A send the back end refuses outright (another user's chat): failed now, never waited for.
  const notOwn = new Set<number>();
  for (const [i, t] of targets.entries()) {
    if ("error" in t || t.duplicateOf !== undefined) continue;
    const why = (await fleet.backendOf(t.agent, opts.signal)).refusal?.(t.agent, "send");
    if (!why) continue;
    notOwn.add(i);
    out[i] = { ...out[i], outcome: "failed", detail: `${why.message} Next: ${why.next}` };
  }

  // First pass: decide per agent.
  const first: { i: number; a: Agent; busy?: "queue" | "interrupt" }[] = [];
  targets.forEach((t, i) => {
    if ("error" in t || t.duplicateOf !== undefined || notOwn.has(i)) return;
    const a = t.agent;
    const plan = planSend(a, opts.ifBusy);
    if (plan.step === "send") first.push({ i, a, busy: plan.busy });
    else if (plan.step === "wait") waiting.set(i, a);
    else out[i] = { ...out[i], outcome: "busy", detail: plan.detail };
  });
  const firstResults = await runBatch(first, ({ i, a, busy }) => attempt(i, a, busy));
  firstResults.forEach((r, k) => {
    if (r.ok && !r.value && opts.ifBusy === "wait") waiting.set(first[k].i, first[k].a);
  });

  if (opts.ifBusy !== "wait" || waiting.size === 0) return out;

  // Paused tasks are resumed first under `wait`.
  const paused = [...waiting].filter(([, a]) => a.kind === "task" && a.state === "paused");
  await runBatch(paused, async ([i, a]) => {
    try {
      await (await fleet.backendOf(a, opts.signal)).resume(a);
    } catch (err) {
      const f = failure(err);
      out[i] = { ...out[i], outcome: f.outcome, detail: `could not resume: ${f.detail}` };
      waiting.delete(i);
    }
  });

  // Watch the rest: one list per back end per round (chats: woken by Coder's watch where it
  // can be, listed to reconcile), send to each agent as it becomes ready.
  let round = 0;
  const kinds = [...new Set([...waiting.values()].map((a) => a.kind))];
  const pacer = await fleet.pacer(kinds, opts.pollMs ?? fleet.pollMs, opts.signal, [
    ...waiting.values(),
  ]);
  try {
    // Rounds are shared with every other wait (fleet/rounds.ts), each newer than the last.
    let notBefore = fleet.roundClock();
    while (waiting.size > 0) {
      const elapsed = fleet.now() - start;
      if (elapsed >= opts.waitMs) break;
      const step = await pacer.next(Math.min(5_000, opts.waitMs - elapsed), opts.signal);
      opts.signal?.throwIfAborted();
      const events = new Map(step.events.map((e) => [e.agent.id, e.agent]));
      let listed: Round | undefined;
      if (step.kinds.length > 0) {
        try {
          listed = await fleet.round(step.kinds, notBefore, opts.signal);
          notBefore = fleet.roundClock();
        } catch (err) {
          // A failed round must not lose what was already sent: try again next round.
          if (opts.signal?.aborted) throw err;
        }
      }
      const now: [number, Agent][] = [];
      const next = new Map<number, Agent>();
      for (const [i, old] of waiting) {
        const a = listed?.get(old.id) ?? events.get(old.id) ?? old;
        if (ready(a)) now.push([i, a]);
        else next.set(i, a);
      }
      waiting = next;
      const results = await runBatch(now, ([i, a]) => attempt(i, a));
      results.forEach((r, k) => {
        if (r.ok && !r.value) waiting.set(now[k][0], now[k][1]);
      });
      round++;
      await opts.onRound?.(round, targets.length - waiting.size, targets.length);
    }
  } finally {
    pacer.close();
  }
  for (const [i, a] of waiting) {
    out[i] = {
      ...out[i],
      outcome: "busy",
      detail: `still ${a.state} after ${Math.round(opts.waitMs / 1000)} s; nothing sent: ` +
        "wait_for_agents, then send again",
    };
  }
  return out;
}
