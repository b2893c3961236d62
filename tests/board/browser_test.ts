/// <reference lib="dom" />
/**
 * The Fleet board in a real browser: headless Debian chromium (puppeteer-core) loads a test host
 * page that uses ext-apps' AppBridge and talks to the real server (`--http`) against the sim, in
 * both MCP eras. Without chromium the test is skipped, except under CI=true, where it fails.
 */
import assert from "node:assert/strict";
import puppeteer, { type Browser, type Frame, type Page } from "puppeteer-core";
import { BOARD_HTML } from "../../src/board/page.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import {
  browserPath,
  bundleHost,
  CHROME_FLAGS,
  type HostSite,
  startHostSite,
  startHttpServer,
} from "./harness.ts";
import { boardFixture } from "./fleet_fixture.ts";

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
          // Each cell says what its agent waits for and its PR, as the sim's truth has them (the
          // sim serves no PR yet: every pr is null until it does); the reason tiles count them.
          const marks = await frame.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>("#grid .cell")].map((c) => [
              c.dataset.id,
              c.dataset.reason ?? null,
              c.dataset.pr ?? null,
            ])
          );
          for (const [id, reason, pr] of marks) {
            assert.equal(reason, truth.waiting_for[id!], `${era}: ${id} waits for`);
            assert.equal(pr, truth.pr[id!], `${era}: ${id} pr`);
          }
          const byReason: Record<string, number> = {};
          for (const r of Object.values(truth.waiting_for)) {
            if (r) byReason[r] = (byReason[r] ?? 0) + 1;
          }
          assert.ok(Object.keys(byReason).length >= 4, JSON.stringify(byReason));
          assert.deepEqual(await reasonTiles(frame), byReason, `${era}: reason tiles`);
          // This sim reports no AI spend: no spend line.
          assert.equal(await frame.evaluate(() => document.getElementById("spend")!.hidden), true);
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

          await page.close();
        });
      }
      await t.step(
        "fixture: PR marks, reasons, the reason filter, spend; the picture",
        () => fixtureStep(browser, site),
      );
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

/** The reason tiles' counts, by reason. */
function reasonTiles(frame: Frame): Promise<Record<string, number>> {
  return frame.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>("#reasons [data-rcount]")].map((
        b,
      ) => [b.dataset.rcount, Number(b.textContent)]),
    )
  );
}

/** The ids of the cells shown. */
function shownIds(frame: Frame): Promise<string[]> {
  return frame.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("#grid .cell")].map((c) => c.dataset.id!)
  );
}

/**
 * The page fed a fixture fleet through the test host (no server): chats with pull requests in
 * every state and every reason to wait, which the sim does not serve yet, and an AI spend. Every
 * cell's mark and words, the reason tiles and filter, the PR filter, the queue's order, the
 * detail and the spend line; then the picture (docs/board.png comes from dist/board.png).
 */
async function fixtureStep(browser: Browser, site: HostSite) {
  const fx = await boardFixture(BOARD_HTML);
  site.setFixture(JSON.stringify(fx));
  const agents = Object.values(fx.agents);
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1200, height: 840 });
    await page.goto(`${site.url}/?fixture=1&theme=light`);
    const frame = await boardFrame(page);
    const cells = await frame.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("#grid .cell")].map((c) => ({
        id: c.dataset.id!,
        reason: c.dataset.reason ?? null,
        pr: c.dataset.pr ?? null,
        label: c.getAttribute("aria-label") ?? "",
        title: c.title,
        mark: getComputedStyle(c, "::after").content !== "none",
      }))
    );
    assert.equal(cells.length, agents.length);
    const words: Record<string, string> = {
      action: "needs a decision",
      fix: "failed: needs a look",
      review: "waits for review",
      reply: "waits for a reply",
      resume: "paused: waits for a resume",
      nothing: "done",
    };
    const seen = new Set<string>();
    for (const c of cells) {
      const a = fx.agents[c.id];
      assert.equal(c.reason, a.waiting_for, `${c.id} waits for`);
      assert.equal(c.pr, a.pr?.state ?? null, `${c.id} pr`);
      // A mark for an open, draft or merged PR; a closed one is said, not marked.
      assert.equal(c.mark, a.pr !== null && a.pr.state !== "closed", `${c.id} (${c.pr}) mark`);
      if (a.waiting_for) {
        assert.ok(c.label.includes(words[a.waiting_for]), c.label);
        assert.ok(c.title.includes(words[a.waiting_for]), c.title);
      }
      if (a.pr) {
        const said = `PR #${a.pr.number} ${a.pr.state} +${a.pr.additions} -${a.pr.deletions}`;
        assert.ok(c.label.includes(said) && c.title.includes(said), `${c.label} / ${said}`);
        seen.add(a.pr.state);
      }
    }
    assert.deepEqual([...seen].sort(), ["closed", "draft", "merged", "open"], "every PR state");

    // The reason tiles count the fleet; one filters the grid to it, and again shows all.
    const byReason: Record<string, number> = {};
    for (const a of agents) {
      if (a.waiting_for) byReason[a.waiting_for] = (byReason[a.waiting_for] ?? 0) + 1;
    }
    assert.equal(Object.keys(byReason).length, 6, "every reason");
    assert.deepEqual(await reasonTiles(frame), byReason);
    const ids = (f: (a: typeof agents[number]) => boolean) =>
      agents.filter(f).map((a) => a.id).sort();
    await frame.click('#reasons [data-reason="action"]');
    assert.deepEqual(
      (await shownIds(frame)).sort(),
      ids((a) => a.waiting_for === "action"),
      "the decision tile shows exactly the agents that need one",
    );
    assert.equal(
      await frame.evaluate(() =>
        document.querySelector('#reasons [data-reason="action"]')!.getAttribute("aria-pressed")
      ),
      "true",
    );
    assert.equal(
      await frame.evaluate(() => (document.getElementById("freason") as HTMLSelectElement).value),
      "action",
    );
    await frame.click('#reasons [data-reason="action"]');
    assert.equal((await shownIds(frame)).length, agents.length);
    await frame.select("#freason", "review");
    assert.deepEqual((await shownIds(frame)).sort(), ids((a) => a.waiting_for === "review"));
    await frame.select("#freason", "");
    await frame.select("#fpr", "merged");
    assert.deepEqual((await shownIds(frame)).sort(), ids((a) => a.pr?.state === "merged"));
    await frame.select("#fpr", "none");
    assert.deepEqual((await shownIds(frame)).sort(), ids((a) => a.pr === null));
    await frame.select("#fpr", "");

    // Waiting on you: decisions and failures first, then the rest (one owner's: a queue of
    // fewer than 50, so it holds both).
    await frame.select("#fowner", "alice");
    const queue = await frame.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("#queue li")].map((li) => ({
        id: li.dataset.id!,
        text: li.textContent ?? "",
      }))
    );
    const isUrgent = (a: typeof agents[number]) => ["action", "fix"].includes(a.waiting_for!);
    const urgent = queue.map((q) => isUrgent(fx.agents[q.id]));
    assert.ok(urgent[0] && !urgent.at(-1), "urgent first, then the rest");
    assert.equal(
      urgent.filter(Boolean).length,
      agents.filter((a) => a.owner === "alice" && isUrgent(a)).length,
      "every urgent agent of alice's",
    );
    assert.equal(urgent.indexOf(false), urgent.lastIndexOf(true) + 1, "never urgent after calm");
    const q0 = fx.agents[queue[0].id];
    assert.ok(queue[0].text.includes(words[q0.waiting_for!]), queue[0].text);
    await frame.select("#fowner", "");

    // The spend line: spend, limit and a meter; over the limit it says the budget is spent.
    const spend = () =>
      frame.evaluate(() => {
        const s = document.getElementById("spend")!;
        return {
          hidden: s.hidden,
          text: s.textContent,
          bad: s.className === "bad",
          meter: (s.querySelector("meter") as HTMLMeterElement | null)?.value ?? null,
        };
      });
    const until = new Date(fx.overview.spend!.period_end!).toLocaleDateString("en-US", {
      month: "short",
      day: "numeric",
    });
    assert.deepEqual(await spend(), {
      hidden: false,
      text: `AI spend this period: $41.27 of $50.00 until ${until}`,
      bad: false,
      meter: 41.27,
    });
    const result = (spend: unknown) =>
      page.evaluate((sp) => {
        const w = document.querySelector("iframe")!.contentWindow!;
        w.postMessage({
          jsonrpc: "2.0",
          method: "ui/notifications/tool-result",
          params: { content: [], structuredContent: { spend: sp } },
        }, "*");
      }, spend);
    await result({ usd: 50.5, limit_usd: 50, period_end: null });
    await frame.waitForFunction(() => document.getElementById("spend")!.className === "bad", {
      timeout: 10_000,
    });
    assert.match((await spend()).text ?? "", /\$50\.50 of \$50\.00.*the budget is spent/);
    await result(null);
    await frame.waitForFunction(() => document.getElementById("spend")!.hidden, {
      timeout: 10_000,
    });
    await result(fx.overview.spend);
    await frame.waitForFunction(() => !document.getElementById("spend")!.hidden, {
      timeout: 10_000,
    });

    // The detail of an agent that needs a decision and has a draft PR: the reason in words, the
    // PR in full with its link.
    const pick = agents.find((a) => a.waiting_for === "action" && a.pr?.state === "draft")!;
    assert.ok(pick, "the fixture has a decision on a draft PR");
    await frame.click(`#grid .cell[data-id="${pick.id}"]`);
    await frame.waitForFunction(() => document.getElementById("detail")!.dataset.loaded, {
      timeout: 30_000,
    });
    const detail = await frame.evaluate(() => ({
      waiting: document.querySelector('#dfields [data-field="waiting_for"]')?.textContent,
      pr: document.querySelector('#dfields [data-field="pr"]')?.textContent,
      links: [...document.querySelectorAll<HTMLAnchorElement>("#dlink a")].map((l) => [
        l.textContent,
        l.href,
      ]),
    }));
    assert.equal(detail.waiting, "needs a decision");
    assert.ok(
      detail.pr?.startsWith(
        `PR #${pick.pr!.number} draft +${pick.pr!.additions} -${pick.pr!.deletions}`,
      ),
      detail.pr,
    );
    assert.ok(detail.pr?.includes(pick.pr!.title), detail.pr);
    assert.deepEqual(detail.links, [
      ["Open in Coder", pick.url],
      ["Open the pull request", pick.pr!.url],
    ]);
    await frame.evaluate(() => document.getElementById("close")!.click());
    await page.screenshot({ path: "dist/board.png", fullPage: false });
  } finally {
    await page.close();
  }
}

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
