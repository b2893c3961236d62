/**
 * The environment variables the server reads, and the one way it reads them. A scoped build
 * (`deno task compile --url`, the README's `deno run` lines) grants `--allow-env=` exactly this
 * list, so the server must never ask for the whole environment (reading it all needs
 * access to every variable and is refused under a scoped grant).
 */

/** Every variable the server reads (flags and `.env` aside); src/config.ts parses them. */
export const ENV_VARS = [
  "CODER_URL",
  "CODER_SESSION_TOKEN",
  "CODER_FLEET_BACKEND",
  "CODER_FLEET_READ_ONLY",
  "CODER_FLEET_TOOLS",
  "CODER_FLEET_HTTP_TOKEN",
  "CODER_FLEET_HTTP_ALLOW_REMOTE",
  "CODER_FLEET_HTTP_ALLOWED_HOSTS",
  "CODER_FLEET_POLL_MS",
  "CODER_FLEET_RATE_LIMIT",
  "CODER_FLEET_MAX_RESPONSE_MB",
  "CODER_FLEET_STALLED_MIN",
  "CODER_FLEET_CALL_BUDGET_S",
] as const;

/** Read exactly {@link ENV_VARS} from the environment (unset ones are absent). */
export function readEnv(): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) {
    let value: string | undefined;
    try {
      value = Deno.env.get(name);
    } catch {
      // not granted: treated as unset
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}
