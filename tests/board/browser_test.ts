/// <reference lib="dom" />
/**
 * The Fleet board in a real browser: headless Debian chromium (puppeteer-core) loads a test host
 * page that uses ext-apps' AppBridge and talks to the real server (`--http`) against the sim, in
 * both MCP eras. Without chromium the test is skipped, except under CI=true, where it fails.
 */
import assert from "node:assert/strict";
import puppeteer, { type Frame, type Page } from "puppeteer-core";
import { type Sim, startSim } from "../../src/sim/server.ts";
import {
  browserPath,
  bundleHost,
  CHROME_FLAGS,
  startHostSite,
  startHttpServer,
} from "./harness.ts";

const chrome = browserPath();
const ci = Deno.env.get("CI") === "true";

const XSS = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> done`;

async function boardFrame(page: Page): Promise<Frame> {
  await page.waitForFunction(() => {
    // deno-lint-ignore no-explicit-any
    const h = (globalThis as any).host;
    if (h?.error) throw new Error(h.error);
    return h?.ready;
  }, { timeout: 60_000 });
  const frame = page.frames().find((f) => f.url().endsWith("/frame"));
  assert.ok(frame, "the board frame is loaded");
  await frame.waitForFunction(() => document.body.dataset.rendered, {
    timeout: 60_000,
  });
  return frame;
}

Deno.test({
  name: "board in chromium: every agent, true counts, detail via the host, text only, no network",
  ignore: !chrome && !ci,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!chrome) throw new Error("CI=true but no chromium: install it (apt-get install chromium)");
    // The demo fleet (seed 7: 600 tasks, 400 chats), its clock frozen so the truth holds still.
    // The sim and server, the host bundle and chromium start side by side (wall time).
    Deno.mkdirSync("dist", { recursive: true }); // a fresh clone has none
    const profile = Deno.makeTempDirSync({ dir: "dist", prefix: "board-chrome-" });
    const started = await Promise.allSettled(
      [
        (async () => {
          const sim = await startSim({
            profile: "both",
            tasks: 600,
            chats: 400,
            seed: 7,
            frozen: true,
          });
          try {
            return { sim, mcp: await startHttpServer(sim) };
          } catch (err) {
            await sim.close();
            throw err;
          }
        })(),
        bundleHost(),
        puppeteer.launch({
          executablePath: chrome,
          args: [...CHROME_FLAGS, `--user-data-dir=${Deno.realPathSync(profile)}`],
          headless: true,
          // Every page.evaluate and frame.evaluate fails past this, instead of waiting 180 s.
          protocolTimeout: 60_000,
        }),
      ] as const,
    );
    const [served, hostJs, launched] = started;
    if (
      served.status === "rejected" || hostJs.status === "rejected" || launched.status === "rejected"
    ) {
      if (served.status === "fulfilled") {
        await served.value.mcp.close();
        await served.value.sim.close();
      }
      if (launched.status === "fulfilled") await launched.value.close();
      Deno.removeSync(profile, { recursive: true });
      throw [served, hostJs, launched].map((r) => r.status === "rejected" ? r.reason : null)
        .find(Boolean);
    }
    const { sim, mcp } = served.value;
    const browser = launched.value;
    const site = startHostSite(hostJs.value, mcp);
    const victim = sim.taskIds()[0];
    sim.setTask(victim, { status: "active", state: "idle", message: XSS });
    const timings: Record<string, number> = {};
    try {
      for (const era of ["modern", "legacy"] as const) {
        await t.step(era, async (t) => {
          const page = await browser.newPage();
          await page.evaluateOnNewDocument(RECORD_REFRESH);
          await page.setViewport({ width: 1200, height: 1000 });
          const seen: { url: string; frame: Frame | null }[] = [];
          page.on("request", (r) => seen.push({ url: r.url(), frame: r.frame() }));
          const deletes = () => sim.requests.filter((r) => r.method === "DELETE").length;
          const theme = era === "modern" ? "light" : "dark";
          await page.goto(`${site.url}/?era=${era}&theme=${theme}`);
          const frame = await boardFrame(page);
          // deno-lint-ignore no-explicit-any
          const host = await page.evaluate(() => (globalThis as any).host);
          assert.equal(host.mimeType, "text/html;profile=mcp-app");
          assert.equal(host.resourceUri, "ui://coder-fleet/board.html");

          // One cell per agent; tile counts equal the sim's ground truth.
          const truth = sim.truth();
          const board = await frame.evaluate(() => ({
            cells: document.querySelectorAll("#grid .cell").length,
            tiles: Object.fromEntries(
              [...document.querySelectorAll("#tiles [data-count]")].map((
                b,
              ) => [(b as HTMLElement).dataset.count, Number(b.textContent)]),
            ),
            firstRenderMs: Number(document.body.dataset.firstRenderMs),
            renderMs: Number(document.body.dataset.renderMs),
          }));
          assert.equal(board.cells, truth.total, `${era}: one cell per agent`);
          assert.deepEqual(board.tiles, truth.by_state, `${era}: tiles equal the truth`);
          timings[`${era} first render`] = board.firstRenderMs;
          timings[`${era} one render`] = board.renderMs;

          // A click opens the detail panel through get_agent (via the host).
          await frame.click(`#grid .cell[data-id="${victim}"]`);
          await frame.waitForFunction(() => document.getElementById("detail")!.dataset.loaded, {
            timeout: 30_000,
          });
          const detail = await frame.evaluate(() => ({
            id: document.getElementById("detail")!.dataset.id,
            loaded: document.getElementById("detail")!.dataset.loaded,
            shownId: document.querySelector('#dfields [data-field="id"]')?.textContent,
            message: document.querySelector('#dfields [data-field="message"]')?.textContent,
            injected: document.querySelectorAll(
              "#detail img, #detail script, #grid img, #queue img, #queue script",
            ).length,
            // deno-lint-ignore no-explicit-any
            pwned: (globalThis as any).__pwned ?? null,
          }));
          assert.equal(detail.loaded, "true");
          assert.equal(detail.shownId, victim, "the panel shows the clicked agent");
          assert.ok(detail.message?.includes("<img src=x onerror="), "markup shows as text");
          assert.ok(detail.message?.includes("<script>"), "script tag shows as text");
          assert.equal(detail.injected, 0, "no element was made from agent text");
          assert.equal(detail.pwned, null, "nothing ran");
          const calls = await page.evaluate(() =>
            // deno-lint-ignore no-explicit-any
            (globalThis as any).host.calls.map((c: any) => `${c.name}:${c.allowed}`)
          );
          assert.ok(calls.includes("get_agent:true"), "get_agent went through the host");
          assert.ok(calls.includes("fleet_board_rows:true"), "rows went through the host");

          // The page's own network access is blocked; the host refuses model-only tools.
          const own = await frame.evaluate(async (target: string) => {
            try {
              await fetch(target);
              return "fetched";
            } catch (err) {
              return `blocked: ${(err as Error).name}`;
            }
          }, `${site.url}/leak`);
          assert.match(own, /^blocked/);
          const refused = await frame.evaluate((id: string) =>
            new Promise((resolve) => {
              const onMessage = (ev: MessageEvent) => {
                if (ev.data?.id !== "probe") return;
                removeEventListener("message", onMessage);
                resolve(ev.data);
              };
              addEventListener("message", onMessage);
              parent.postMessage({
                jsonrpc: "2.0",
                id: "probe",
                method: "tools/call",
                params: { name: "delete_agents", arguments: { agents: [id] } },
              }, "*");
            }), victim);
          // deno-lint-ignore no-explicit-any
          assert.ok((refused as any).error, "the host answers an error");
          assert.equal(deletes(), 0, "no delete reached Coder");
          assert.ok(sim.task(victim), "the agent is still there");
          const after = await page.evaluate(() =>
            // deno-lint-ignore no-explicit-any
            (globalThis as any).host.calls.map((c: any) => `${c.name}:${c.allowed}`)
          );
          assert.ok(after.includes("delete_agents:false"));

          // The browser asked for nothing but the host's own files, the frame document and /mcp
          // (the host's); the board frame itself requested nothing, and nothing leaked.
          const paths = new Set(seen.map((r) => new URL(r.url).pathname));
          assert.deepEqual([...paths].sort(), ["/", "/frame", "/host.js", "/mcp"]);
          const fromFrame = seen.filter((r) => r.frame === frame && !r.url.endsWith("/frame"));
          assert.deepEqual(fromFrame, [], "the board made no request");
          assert.ok(!site.requests.some((r) => r.path === "/leak" || r.path === "/x"));

          // The host's theme is followed.
          assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), theme);

          // On the last page (a page load of its own would cost chromium about a CPU-second):
          // the refresh loop, run 1000 times faster from here on.
          // deno-lint-ignore no-explicit-any
          const delays = () => frame.evaluate(() => [...(globalThis as any).__delays] as number[]);
          const rowsCalls = () =>
            page.evaluate(() =>
              // deno-lint-ignore no-explicit-any
              (globalThis as any).host.calls.filter((c: any) => c.name === "fleet_board_rows")
                .length
            );
          if (era === "legacy") {
            await t.step(
              "refresh loop: periodic, backs off on errors, recovers",
              () => refreshLoop(sim, page, frame, delays),
            );
          }

          // Teardown stops the refresh loop.
          // deno-lint-ignore no-explicit-any
          await page.evaluate(() => (globalThis as any).teardown());
          assert.equal(await frame.evaluate(() => document.body.dataset.stopped), "true");
          if (era === "legacy") {
            const scheduled = (await delays()).length;
            const calls = await rowsCalls();
            await new Promise((r) => setTimeout(r, 1000)); // a hundred refresh periods at this speed
            assert.equal((await delays()).length, scheduled, "nothing scheduled after teardown");
            assert.ok((await rowsCalls()) <= calls + 1, "at most the call in flight");
          }

          if (era === "modern") {
            await frame.evaluate(() => document.getElementById("close")!.click());
            await page.screenshot({ path: "dist/board.png", fullPage: false });
          }
          await page.close();
        });
      }
    } finally {
      await browser.close();
      await site.close();
      await mcp.close();
      await sim.close();
      Deno.removeSync(profile, { recursive: true });
    }
    console.log(
      `board timings (ms; first render counts from the page's start): ${JSON.stringify(timings)}`,
    );
  },
});

/**
 * The page's refresh timer, recorded (every delay it asks for, in `__delays`) and, once the test
 * calls `__fast(k)`, run `k` times faster: the pending refresh is moved up too. Ids given to the
 * page stay valid for clearTimeout.
 */
function RECORD_REFRESH() {
  if (location.pathname !== "/frame") return;
  // The browser's timers (ids are numbers there).
  const real = globalThis.setTimeout as unknown as (
    f: (...a: unknown[]) => void,
    ms?: number,
    ...rest: unknown[]
  ) => number;
  const realClear = globalThis.clearTimeout as unknown as (id?: number) => void;
  const delays: number[] = [];
  let speed = 1;
  type Entry = { run: () => void; ms: number; id: number };
  let pending: Entry | null = null;
  const byId = new Map<number, Entry>();
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  g.__delays = delays;
  g.setTimeout = (f: unknown, ms = 0, ...rest: unknown[]) => {
    if (typeof f !== "function" || f.name !== "refresh") return real(f as () => void, ms, ...rest);
    delays.push(ms);
    const entry: Entry = {
      run: () => {
        if (pending === entry) pending = null;
        f(...rest);
      },
      ms,
      id: 0,
    };
    entry.id = real(entry.run, ms / speed);
    const id = entry.id;
    byId.set(id, entry);
    pending = entry;
    return id;
  };
  g.clearTimeout = (id?: number) => {
    const entry = id === undefined ? undefined : byId.get(id);
    if (!entry) return realClear(id);
    realClear(entry.id);
    if (pending === entry) pending = null;
  };
  g.__fast = (k: number) => {
    speed = k;
    if (!pending) return;
    realClear(pending.id);
    pending.id = real(pending.run, pending.ms / speed);
  };
}

/** The refresh loop at 1000 times its speed: every 10 s, doubling back-off on errors, recovery. */
async function refreshLoop(
  sim: Sim,
  page: Page,
  frame: Frame,
  delays: () => Promise<number[]>,
) {
  const before = await page.evaluate(() =>
    // deno-lint-ignore no-explicit-any
    (globalThis as any).host.calls.filter((c: any) => c.name === "fleet_board_rows").length
  );
  // deno-lint-ignore no-explicit-any
  await frame.evaluate(() => (globalThis as any).__fast(1000));
  await page.waitForFunction(
    (n: number) => {
      const host = (globalThis as unknown as { host: { calls: { name: string }[] } }).host;
      return host.calls.filter((c) => c.name === "fleet_board_rows").length >= n;
    },
    { timeout: 30_000 },
    before + 3,
  );
  assert.ok((await delays()).every((d) => d === 10_000), "every 10 s while all is well");

  sim.fault(/\/api\/v2\/(tasks|chats)$/, { status: 400, method: "GET" }); // not retried
  await frame.waitForFunction(
    // deno-lint-ignore no-explicit-any
    () => (globalThis as any).__delays.includes(40_000),
    { timeout: 60_000 },
  );
  const failing = await frame.evaluate(() => document.getElementById("status")!.textContent);
  assert.match(failing ?? "", /Refresh failed/);
  const backoff = (await delays()).filter((d) => d > 10_000);
  assert.deepEqual(backoff.slice(0, 2), [20_000, 40_000], "the delay doubles");

  sim.clearFaults();
  await frame.waitForFunction(
    () => document.getElementById("status")!.textContent === "",
    { timeout: 60_000 },
  );
  await frame.waitForFunction(
    // deno-lint-ignore no-explicit-any
    () => (globalThis as any).__delays.at(-1) === 10_000,
    { timeout: 30_000 },
  );
}
