/**
 * Turning failures into results a caller can act on: what happened, and what to do next.
 * Coder's `{message, detail}` is summarised (one line), never dumped; the token never appears.
 */
import { CoderError } from "../coder/http.ts";
import { AgentBusyError, FleetError } from "../fleet/backend.ts";

/** A failure, as the caller sees it. */
export interface Failure {
  error: string;
  next: string;
}

/** Explain any error with a next step. */
export function explain(err: unknown): Failure {
  if (err instanceof FleetError) return { error: err.message, next: err.next };
  if (err instanceof AgentBusyError) {
    return {
      error: `The agent is busy: ${err.message}`,
      next: "Use send_input with if_busy=wait, or wait_for_agents first.",
    };
  }
  if (err instanceof CoderError) return { error: err.summary, next: nextFor(err) };
  if (err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError")) {
    return { error: "The call was cancelled.", next: "Call the tool again if you still need it." };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return {
    error: `Unexpected failure: ${msg.slice(0, 300)}`,
    next: "Call the tool again; if it keeps failing, report it with the arguments used.",
  };
}

function nextFor(e: CoderError): string {
  switch (true) {
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
      return "Coder is rate-limiting (512 requests a minute per route): wait a minute, then retry.";
    case e.status >= 500:
      return "Coder failed: retry shortly; if it persists, check the Coder server.";
    default:
      return "Check the arguments and retry.";
  }
}

/** Render a failure as one short text block. */
export function failureText(f: Failure): string {
  return `Error: ${f.error}\nNext: ${f.next}`;
}
