/**
 * The caller's AI spend and budget, where Coder reports it (`GET /users/me/ai/spend`, AI Gateway,
 * a Premium entitlement). Found once and remembered like the other probes: a deployment that
 * answers 403 or 404 (no AI Gateway, no licence, an older Coder) is not asked again until the
 * deployment is detected anew; any other failure is a warning for this call only.
 */
import { getAiSpend } from "../coder/deployment.ts";
import type { CoderClient } from "../coder/http.ts";
import { isHttp } from "../model/backend_errors.ts";
import { errorLine } from "../model/text.ts";

/** The caller's AI spend this period, in USD. */
export interface Spend {
  /** Spent so far this period. */
  usd: number;
  /** The budget that applies, or null when unlimited. */
  limit_usd: number | null;
  /** When the period ends (ISO 8601), when Coder says. */
  period_end: string | null;
}

/** What asking for the spend gave: the spend (or null where Coder has none), and a warning. */
export interface SpendAnswer {
  spend: Spend | null;
  warning?: string;
}

const usd = (micros: number) => Math.round(micros) / 1_000_000;

/** The spend probe of one detected deployment. */
export class SpendProbe {
  /** False once the deployment said it has no spend (403 or 404). */
  #available = true;

  /** The spend, in one request; none (and no request) where the deployment has none. */
  async get(client: CoderClient, signal?: AbortSignal): Promise<SpendAnswer> {
    if (!this.#available) return { spend: null };
    try {
      const s = await getAiSpend(client, "me", signal);
      const limit = s.effective_budget?.spend_limit_micros;
      return {
        spend: {
          usd: usd(s.current_spend_micros),
          limit_usd: typeof limit === "number" ? usd(limit) : null,
          period_end: typeof s.period_end === "string" ? s.period_end.slice(0, 40) : null,
        },
      };
    } catch (err) {
      if (isHttp(err, 403) || isHttp(err, 404)) {
        this.#available = false;
        return { spend: null };
      }
      if (signal?.aborted) throw err;
      return { spend: null, warning: `AI spend unavailable: ${errorLine(err)}` };
    }
  }
}
