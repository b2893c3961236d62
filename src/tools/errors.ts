/**
 * Turning failures into results a caller can act on: what happened, and what to do next.
 * Coder's `{message, detail}` is summarised (one line), never dumped; the token never appears.
 */
import { CoderError } from "../coder/http.ts";
import { AgentBusyError, FleetError } from "../model/backend.ts";
import { oneLine } from "../model/text.ts";

/** A failure, as the caller sees it. */
export interface Failure {
  error: string;
  next: string;
}

/**
 * Explain any error with a next step. `cancelled`: the client cancelled the call (only then is a
 * call reported cancelled; a stalled Coder is a timeout).
 */
export function explain(err: unknown, opts: { cancelled?: boolean } = {}): Failure {
  if (err instanceof FleetError) return { error: oneLine(err.message, 500), next: err.next };
  if (err instanceof AgentBusyError) {
    return {
      error: `The agent is busy: ${err.message}`,
      next: "Use send_input with if_busy=wait, or wait_for_agents first.",
    };
  }
  if (err instanceof CoderError) {
    if (aiGatewayOff(err)) {
      return {
        error:
          `Coder Agents is switched off on this Coder: its AI Gateway is disabled (CODER_AI_GATEWAY_ENABLED), so chats cannot be created, messaged, stopped or archived (Coder answered 503 to ${err.route}).`,
        next:
          "Ask a Coder administrator to set CODER_AI_GATEWAY_ENABLED=true on the Coder server and restart it; until then chats can still be read (list_agents, get_agent, get_logs).",
      };
    }
    const summary = oneLine(err.summary, 500);
    return {
      error: err.uncertain
        ? `${summary} (the write may or may not have happened)`
        : err.kind === "aborted" && !opts.cancelled
        ? `${summary}: Coder did not answer in time`
        : summary,
      next: nextFor(err, opts),
    };
  }
  if (err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError")) {
    // Only a cancellation by the client is "cancelled"; anything else timed out.
    return opts.cancelled
      ? { error: "The call was cancelled.", next: "Call the tool again if you still need it." }
      : {
        error: "Coder did not answer in time.",
        next: "Retry shortly; if it keeps happening, check that Coder at CODER_URL is healthy.",
      };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return {
    error: `Unexpected failure: ${oneLine(msg, 300)}`,
    next: "Call the tool again; if it keeps failing, report it with the arguments used.",
  };
}

/**
 * Coder's 503 "AI Gateway must be enabled for Coder Agents functionality." (reference 0): every
 * chat write and stream answers it while Coder's CODER_AI_GATEWAY_ENABLED is off (a setting of
 * Coder itself, not of this server). Retrying cannot help.
 */
function aiGatewayOff(err: CoderError): boolean {
  return err.kind === "http" && err.status === 503 &&
    /AI Gateway must be enabled/i.test(`${err.coderMessage ?? ""} ${err.detail ?? ""}`);
}

/** The next step for a write whose fate is unknown. */
export const UNCERTAIN_NEXT =
  "check with get_agent before retrying: the write may have reached Coder, and repeating it could act twice.";

/**
 * A failed write, as a batch row reports it: `uncertain` (with the check to make) when it may
 * have happened, never `failed` then; `failed` with a next step otherwise.
 */
export function writeFailure(err: unknown): { outcome: "failed" | "uncertain"; detail: string } {
  const uncertain = mayHaveHappened(err);
  const f = uncertain && err instanceof CoderError && !err.uncertain
    ? {
      error: `${explain(err).error} (the write may or may not have happened)`,
      next: UNCERTAIN_NEXT_CAP,
    }
    : explain(err);
  return {
    outcome: uncertain ? "uncertain" : "failed",
    detail: `${f.error.replace(/\.$/, "")}. Next: ${f.next}`,
  };
}

const UNCERTAIN_NEXT_CAP = UNCERTAIN_NEXT[0].toUpperCase() + UNCERTAIN_NEXT.slice(1);

/**
 * Whether a failed write may have happened: the Coder client says so (`uncertain`), or a request
 * other than a GET got no answer in time (it was sent; its fate is unknown).
 */
export function mayHaveHappened(err: unknown): boolean {
  if (!(err instanceof CoderError)) return false;
  return err.uncertain || (err.kind === "timeout" && !/^(GET|HEAD) /.test(err.route));
}

function nextFor(e: CoderError, opts: { cancelled?: boolean }): string {
  switch (true) {
    case e.kind === "uncertain":
      return UNCERTAIN_NEXT_CAP;
    case e.kind === "redirect":
      return "Coder (or a proxy in front of it) redirected the request, which is never followed with the token: set CODER_URL to the final address of Coder and restart the server.";
    case e.kind === "budget":
      return e.retryAfterMs !== undefined
        ? `Retry in ${
          Math.ceil(e.retryAfterMs / 1000)
        } s: until then this server sends that Coder route nothing, and asks it again after.`
        : "The call ran out of time: retry after the time the message names, or with fewer agents.";
    case e.kind === "too_large":
      return "Coder's answer was larger than the cap: narrow the query (owner, kind, state, template), or raise CODER_FLEET_MAX_RESPONSE_MB and restart.";
    case e.kind === "aborted":
      return opts.cancelled
        ? "Call the tool again if you still need it."
        : "Retry shortly; if it keeps happening, check that Coder at CODER_URL is healthy.";
    case e.kind === "timeout" || e.kind === "network":
      return "Coder did not answer: check that CODER_URL is reachable, then retry.";
    case e.kind === "parse":
      return "Coder answered in a shape this server does not know: check the Coder version.";
    case e.status === 401:
      return "The session token was rejected: set a valid CODER_SESSION_TOKEN and restart the server.";
    case e.status === 403:
      return "Your Coder user may not do this: ask an admin, or act on your own agents only.";
    case e.routeNotFound:
      return "This Coder no longer serves that API (upgraded?): the back ends are detected again on the next call; retry.";
    case e.status === 404:
      return "It is gone or not visible to you: refresh with list_agents.";
    case e.status === 409:
      return "The agent is not in a state that allows this: check it with get_agent, or wait_for_agents.";
    case e.status === 400:
      return "Coder rejected the arguments: fix them as the message says (list_templates shows valid names).";
    case e.status === 429:
      return e.retryAfterMs !== undefined
        ? `Coder is rate-limiting: retry after ${Math.ceil(e.retryAfterMs / 1000)} s.`
        : "Coder is rate-limiting (512 requests a minute per route): wait a minute, then retry.";
    case e.status === 503:
      return "Coder is unavailable (maintenance or overload): retry in a few minutes; if it lasts, check the Coder server.";
    case e.status >= 500:
      return "Coder failed: retry shortly; if it persists, check the Coder server.";
    default:
      return "Check the arguments and retry.";
  }
}

/** Render a failure as one short text block (the error on one line: it cannot forge `Next:`). */
export function failureText(f: Failure): string {
  return `Error: ${oneLine(f.error, 1000)}\nNext: ${oneLine(f.next, 500)}`;
}

const SDK_INPUT =
  /^(?:MCP error -?\d+: )?Input validation error: Invalid arguments for tool (\S+): /;

/**
 * The text of an error the MCP SDK reports itself, before any handler runs: arguments that do
 * not match a tool's input schema, an unknown tool. Rendered like every other failure (what
 * happened; what to do next), on clean single lines.
 */
export function sdkErrorText(message: string): string {
  const one = (s: string) => oneLine(s, 600);
  const m = SDK_INPUT.exec(message);
  if (m) {
    const rest = message.slice(m[0].length);
    const at = rest.lastIndexOf("Next: ");
    const what = at >= 0 ? rest.slice(0, at) : rest;
    const next = at >= 0
      ? rest.slice(at + "Next: ".length)
      : `Fix the arguments as the message says and call ${
        m[1]
      } again; tools/list shows its input schema.`;
    return failureText({ error: `Invalid arguments for ${m[1]}: ${one(what)}`, next: one(next) });
  }
  return failureText({
    error: one(message.replace(/^MCP error -?\d+: /, "")),
    next: "Check the tool name and arguments against tools/list, then call again.",
  });
}
