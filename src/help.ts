/**
 * The `--help` text: every flag, every environment variable, and what a permission-scoped build
 * may touch.
 */

/** The usage text for `version`, listing `envVars` (the variables the server reads) as granted. */
export function helpText(version: string, envVars: readonly string[]): string {
  return `coder-fleet-mcp ${version}: an MCP server to run a fleet of AI coding agents on Coder.

Usage: coder-fleet-mcp [flags]

Flags (each wins over its variable):
  --url URL               Coder deployment, http(s)://host[:port][/path]; no user:password@,
                          query or fragment (env CODER_URL)
  --backend MODE          auto | tasks | chats (env CODER_FLEET_BACKEND, default auto)
  --read-only             register only read-only tools (env CODER_FLEET_READ_ONLY)
  --tools a,b,c           register only these tools (env CODER_FLEET_TOOLS)
  --poll-ms N             polling interval of waits, 100..60000 ms (env CODER_FLEET_POLL_MS,
                          default 1000)
  --rate-limit N          requests a minute to Coder, shared by all calls, 1..10000
                          (env CODER_FLEET_RATE_LIMIT, default 450; Coder allows 512)
  --max-response-mb N     largest Coder answer accepted, 1..4096 MiB
                          (env CODER_FLEET_MAX_RESPONSE_MB, default 64)
  --stalled-min N          flag a working agent whose updated_at has not moved for N minutes,
                          0.05..1440 (env CODER_FLEET_STALLED_MIN, default 15)
  --call-budget-s N       seconds a call that does not wait may take, 1..600; keep it below
                          your client's tool timeout (env CODER_FLEET_CALL_BUDGET_S, default 50)
  --http [HOST:]PORT      serve MCP over HTTP at /mcp instead of stdio (HOST defaults to
                          127.0.0.1); clients send Authorization: Bearer $CODER_FLEET_HTTP_TOKEN.
                          GET /healthz answers 200 without auth.
  --http-allow-remote     allow --http to bind beyond loopback (0.0.0.0, [::], a LAN address)
                          (env CODER_FLEET_HTTP_ALLOW_REMOTE)
  --demo                  run against a built-in simulated Coder fleet (no Coder, no token)
  --help, -h              this text
  --version, -V           print the version

Environment:
  CODER_URL                       Coder deployment URL (required unless --demo)
  CODER_SESSION_TOKEN             Coder session token (required unless --demo; never a flag)
  CODER_FLEET_BACKEND             auto | tasks | chats
  CODER_FLEET_READ_ONLY           1/true/yes/on or 0/false/no/off (anything else is an error)
  CODER_FLEET_TOOLS               comma-separated tool allowlist (must leave at least one tool)
  CODER_FLEET_HTTP_TOKEN          bearer token for --http, at least 16 characters
  CODER_FLEET_HTTP_ALLOW_REMOTE   1/true/yes/on or 0/false/no/off
  CODER_FLEET_HTTP_ALLOWED_HOSTS  extra hostnames accepted in Host and Origin over --http
                                  (loopback names and the bound host always are)
  CODER_FLEET_POLL_MS             wait polling interval in ms
  CODER_FLEET_RATE_LIMIT          requests a minute to Coder
  CODER_FLEET_MAX_RESPONSE_MB     largest Coder answer in MiB
  CODER_FLEET_STALLED_MIN         minutes before a working agent that does not move is stalled
  CODER_FLEET_CALL_BUDGET_S       seconds a call that does not wait may take
A .env file in the working directory is read too (only if it is a regular file); the real
environment wins. Invalid settings stop startup with one line and exit code 2.

Permissions of a scoped build (deno task compile --url https://coder.example.com):
  --allow-net=coder.example.com[:port]   the Coder host only (plus the --http listen address)
  --allow-env=${envVars.join(",")}
  --allow-read=.env                      the .env file only
`;
}
