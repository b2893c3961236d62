/**
 * Idempotent chat writes (newer Coder): a create or send carries a `request_id`, and Coder answers
 * with a submission receipt (`accepted`, `uncertain`, `rejected`, or `reserved` while in flight).
 * Whether the server supports it is learned from its first answer, per back end: a receipt means
 * yes; a plain answer (the field ignored) or a 400 naming `request_id` means no, and then writes
 * go out as before. Only where it is supported is a write whose answer was lost sent again, with
 * the same id.
 */
import type { ChatSubmission } from "./api.ts";
import { CoderError } from "../../coder/http.ts";
import { FleetError } from "../../model/backend.ts";
import { isHttp } from "../../model/backend_errors.ts";
import { oneLine } from "../../model/text.ts";

/** What a back end learned about `request_id` support (undefined until the first answer). */
export interface RequestIdSupport {
  supported?: boolean;
}

/** How often a write whose answer was lost is sent again (supported servers only). */
const LOST_RETRIES = 2;

/** A write's answer, with the receipt when Coder sent one. */
export interface WithReceipt {
  receipt?: ChatSubmission;
}

/**
 * Run `call` with `requestId` where supported (or while unknown), learning support from the
 * answer. `call(undefined)` is the write as older servers take it.
 */
export async function idempotent<T extends WithReceipt>(
  support: RequestIdSupport,
  requestId: string | undefined,
  call: (requestId?: string, retrySafe?: boolean) => Promise<T>,
): Promise<T> {
  if (!requestId || support.supported === false) return await call(undefined);
  let lost = 0;
  for (;;) {
    try {
      const r = await call(requestId, support.supported === true);
      if (r.receipt) support.supported = true;
      else if (support.supported === undefined) support.supported = false; // field ignored
      return r;
    } catch (err) {
      if (support.supported === undefined && namesField(err, "request_id")) {
        support.supported = false; // an older server refused the field: nothing was written
        return await call(undefined);
      }
      if (support.supported === true && answerLost(err) && lost < LOST_RETRIES) {
        lost++;
        continue; // the same request id: Coder answers with the first write's receipt
      }
      throw err;
    }
  }
}

/**
 * Judge a receipt: `accepted` passes; `rejected` is a FleetError with Coder's reason; anything
 * else (`uncertain`, `reserved`, an unknown word) is an uncertain CoderError.
 */
export function checkReceipt(receipt: ChatSubmission, route: string, what: string): void {
  const state = oneLine(receipt.state, 40);
  if (state === "accepted") return;
  if (state === "rejected") {
    const why = typeof receipt.error === "string"
      ? receipt.error
      : receipt.error?.message ?? receipt.error?.detail ?? "no reason given";
    throw new FleetError(
      `Coder rejected the ${what} (receipt ${oneLine(receipt.request_id, 40)}: rejected): ${
        oneLine(why, 300)
      }`,
      "fix what the reason names, then try again",
    );
  }
  throw new CoderError({
    status: 200,
    route,
    kind: "uncertain",
    detail: `Coder's receipt for request ${oneLine(receipt.request_id, 40)} says ${
      state || "nothing"
    }`,
  });
}

/** One line on a receipt, for a write's detail. */
export function receiptNote(receipt: ChatSubmission | undefined): string {
  return receipt ? ` (receipt ${oneLine(receipt.state, 40)})` : "";
}

function answerLost(err: unknown): boolean {
  return err instanceof CoderError &&
    (err.uncertain || err.kind === "timeout" || err.kind === "network");
}

/** True when Coder's 400 names `field` (an older Coder refusing a field it does not know). */
export function namesField(err: unknown, field: string): boolean {
  if (!isHttp(err, 400)) return false;
  const words = [err.coderMessage, err.detail, ...err.validations.map((v) => v.field)].join(" ");
  return new RegExp(`\\b${field}\\b`, "i").test(words);
}
