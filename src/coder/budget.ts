/**
 * The call budget: how long the current tool call may still spend talking to Coder.
 *
 * A tool call that does not wait must answer within 50 s whatever Coder does (DESIGN, "Trust"),
 * below the 60 s that MCP clients wait by default; a user whose client waits longer or shorter
 * sets another budget (`CODER_FLEET_CALL_BUDGET_S`). Rather than thread a deadline through every
 * function, the server runs each tool call inside {@link withBudget}; the HTTP client reads
 * {@link remainingMs} to size its per-request timeout, and to decide whether a retry, a backoff or
 * a `Retry-After` still fits. The rate limiter reads {@link callSends} to give each call a fair
 * share of a route's minute.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The budget of a call that does not wait (ms), unless `CODER_FLEET_CALL_BUDGET_S` says otherwise. */
export const CALL_BUDGET_MS = 50_000;

interface Budget {
  /** Epoch ms by which the call must have answered. */
  deadline: number;
  /** The call's requests per route, as send times (the rate limiter's fair share). */
  sends: Map<string, number[]>;
}

const store = new AsyncLocalStorage<Budget>();

/** Run `fn` with a budget of `ms` from now. Nested budgets can only shorten the outer one. */
export function withBudget<T>(ms: number, fn: () => T): T {
  const outer = store.getStore();
  const deadline = Math.min(Date.now() + ms, outer?.deadline ?? Infinity);
  return store.run({ deadline, sends: outer?.sends ?? new Map() }, fn);
}

/** Milliseconds left in the current call's budget; `Infinity` outside any call. */
export function remainingMs(): number {
  const b = store.getStore();
  return b ? Math.max(0, b.deadline - Date.now()) : Infinity;
}

/**
 * The current call's send times per route key (the rate limiter records and reads them, so that
 * no call takes more than its share of a route); undefined outside any call.
 */
export function callSends(): Map<string, number[]> | undefined {
  return store.getStore()?.sends;
}
