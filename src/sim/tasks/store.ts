/**
 * Simulated Coder Tasks: the task store, seeding, and its lazy evolution over (paced) time. The
 * store is the bottom of the sim's tasks: the wire shapes (`wire.ts`) and the `/tasks` routes
 * (`routes.ts`) are built on it.
 */
import type { SimTemplate, SimUser, World } from "../deployment.ts";
import { pickJob, stateMessage, stateUri, welcomeScreen, workScreen } from "../seed.ts";
import { Rng, squash } from "../util.ts";

/** One log entry, stored with a millisecond time. */
interface LogRec {
  content: string;
  type: "input" | "output";
  at: number;
}

/** What the pending timer of a task will do. */
type Phase = "none" | "boot" | "init" | "resume" | "work" | "";

/** A stored task. */
export interface TaskRec {
  id: string;
  owner: SimUser;
  template: SimTemplate;
  presetId?: string;
  name: string;
  displayName: string;
  workspaceId: string;
  agentId: string;
  appId: string;
  buildNumber: number;
  prompt: string;
  /** Internal status: a TaskStatus word (or whatever a test set). */
  status: string;
  current: { state: string; message: string; at: number; uri: string } | null;
  createdAt: number;
  updatedAt: number;
  logs: LogRec[];
  snapshotAt?: number;
  phase: Phase;
  nextAt: number;
  /** The input being worked on (for the output screen). */
  work: string;
  rng: Rng;
}

const FROM_WORKSPACE: Record<string, string> = {
  running: "active",
  starting: "initializing",
  stopped: "paused",
  failed: "error",
};

/** Seeded task kinds: the first ones in order, so even a small fleet covers every state. */
const KINDS = [
  "working",
  "idle",
  "complete",
  "failed",
  "paused",
  "pending",
  "initializing",
  "nostate",
  "error",
  "idle",
  "working",
];
const WEIGHTED = [...KINDS, "idle", "idle", "complete", "working", "paused"];

/** The task store of one simulated deployment. */
export class TaskStore {
  readonly world: World;
  #rng: Rng;
  #list: TaskRec[] = [];
  #byId = new Map<string, TaskRec>();

  constructor(world: World, rng: Rng) {
    this.world = world;
    this.#rng = rng;
  }

  /** `n` random hex digits (name suffixes). */
  hex(n: number): string {
    return this.#rng.hex(n);
  }

  /** Live tasks in creation order. */
  get all(): readonly TaskRec[] {
    return this.#list;
  }

  /** A live task by id. */
  get(id: string): TaskRec | undefined {
    return this.#byId.get(id);
  }

  /** A random duration for `t` in [minS, maxS] seconds, scaled by the pace. */
  dur(t: TaskRec, minS: number, maxS: number): number {
    return t.rng.int(minS * 1000, maxS * 1000) / this.world.pace;
  }

  /** Store a new task. */
  add(t: TaskRec): void {
    this.#list.push(t);
    this.#byId.set(t.id, t);
  }

  /** Delete a task. */
  remove(t: TaskRec): void {
    this.#byId.delete(t.id);
    this.#list = this.#list.filter((x) => x !== t);
  }

  /** A fresh task record (not stored yet). */
  newRec(owner: SimUser, template: SimTemplate, name: string, prompt: string, at: number) {
    const rng = this.#rng.fork();
    const t: TaskRec = {
      id: rng.uuid(),
      owner,
      template,
      presetId: this.world.presets.get(template.activeVersionId)?.find((p) => p.Default)?.ID,
      name,
      displayName: squash(prompt, 64),
      workspaceId: rng.uuid(),
      agentId: rng.uuid(),
      appId: rng.uuid(),
      buildNumber: 1,
      prompt,
      status: "pending",
      current: null,
      createdAt: at,
      updatedAt: at,
      logs: [],
      phase: "none",
      nextAt: Infinity,
      work: prompt,
      rng,
    };
    return t;
  }

  /** Seed `n` tasks spread over owners, templates and states. */
  seed(n: number): void {
    const now = this.world.clock.now();
    const ai = this.world.templates.filter((x) => x.ai);
    for (let i = 0; i < n; i++) {
      const kind = i < KINDS.length ? KINDS[i] : this.#rng.pick(WEIGHTED);
      const owner = this.world.users[i % this.world.users.length];
      const job = pickJob(this.#rng);
      const t = this.newRec(owner, ai[i % ai.length], `${job.base}-${i + 1}`, job.prompt, now);
      const r = t.rng;
      const model = t.template.name === "codex" ? "GPT-5 Codex" : "Sonnet 4.5";
      if (t.presetId && r.chance(0.3)) {
        t.presetId = r.pick(this.world.presets.get(t.template.activeVersionId)!).ID;
      }
      const settle = (state: string, at: number) => {
        t.status = "active";
        t.updatedAt = at;
        t.createdAt = at - r.int(2, 600) * 60_000;
        t.logs.push({
          content: welcomeScreen(t.prompt, model),
          type: "output",
          at: t.createdAt + 40_000,
        });
        if (state === "nostate") return;
        const msg = stateMessage(r, state);
        if (r.chance(0.4)) {
          const mid = (t.createdAt + at) / 2;
          t.logs.push({
            content: workScreen(r, t.prompt, stateMessage(r, "idle")),
            type: "output",
            at: mid,
          });
          t.work = "Please continue, and add tests.";
          t.logs.push({ content: t.work, type: "input", at: mid + 30_000 });
        }
        if (state !== "working") {
          t.logs.push({ content: workScreen(r, t.work, msg), type: "output", at });
        }
        t.current = { state, message: msg, at, uri: stateUri(r, state) };
      };
      switch (kind) {
        case "pending":
          t.createdAt = t.updatedAt = now - r.int(1000, 5000);
          t.phase = "boot";
          t.nextAt = now + this.dur(t, 3, 10);
          break;
        case "initializing":
          t.createdAt = now - r.int(15_000, 30_000);
          t.updatedAt = now - r.int(2_000, 10_000);
          t.status = "initializing";
          t.phase = "init";
          t.nextAt = now + this.dur(t, 5, 30);
          break;
        case "working":
          settle("working", now - r.int(10_000, 120_000));
          t.phase = "work";
          t.nextAt = now + this.dur(t, 20, 200);
          break;
        case "idle":
        case "complete":
        case "failed":
          settle(kind, now - r.int(60_000, 2 * 3600_000));
          break;
        case "nostate":
          settle("nostate", now - r.int(5, 60) * 60_000);
          break;
        case "paused":
          settle("idle", now - r.int(10, 1440) * 60_000);
          t.status = "paused";
          t.snapshotAt = t.updatedAt;
          t.buildNumber = 2;
          break;
        case "error":
          t.updatedAt = now - r.int(10, 120) * 60_000;
          t.createdAt = t.updatedAt - 60_000;
          t.status = "error";
          break;
      }
      this.add(t);
    }
  }

  /** Advance every task whose timer is due. */
  tick(now: number): void {
    for (const t of this.#list) {
      let guard = 0;
      while (t.nextAt <= now && guard++ < 16) this.#step(t);
    }
  }

  #step(t: TaskRec): void {
    const at = t.nextAt;
    t.nextAt = Infinity;
    const phase = t.phase;
    t.phase = "none";
    const model = t.template.name === "codex" ? "GPT-5 Codex" : "Sonnet 4.5";
    switch (phase) {
      case "boot":
        t.status = "initializing";
        t.updatedAt = at;
        t.phase = "init";
        t.nextAt = at + this.dur(t, 10, 40);
        break;
      case "init":
        t.status = "active";
        t.updatedAt = at;
        t.current = { state: "working", message: stateMessage(t.rng, "working"), at, uri: "" };
        t.logs.push({ content: welcomeScreen(t.prompt, model), type: "output", at });
        t.work = t.prompt;
        t.phase = "work";
        t.nextAt = at + this.dur(t, 30, 240);
        break;
      case "resume":
        t.status = "active";
        t.updatedAt = at;
        t.current = { state: "idle", message: "Resumed; ready for input", at, uri: "" };
        break;
      case "work": {
        const x = t.rng.next();
        const state = x < 0.55 ? "idle" : x < 0.85 ? "complete" : "failed";
        const message = stateMessage(t.rng, state);
        t.current = { state, message, at, uri: stateUri(t.rng, state) };
        t.logs.push({ content: workScreen(t.rng, t.work, message), type: "output", at });
        t.updatedAt = at;
        break;
      }
    }
  }

  /** Test control: force a status and/or current state. */
  set(id: string, patch: { status?: string; state?: string | null; message?: string }): void {
    const t = this.#byId.get(id);
    if (!t) throw new Error(`sim: no task ${id}`);
    const now = this.world.clock.now();
    t.nextAt = Infinity;
    t.phase = "none";
    if (patch.status !== undefined) {
      t.status = FROM_WORKSPACE[patch.status] ?? patch.status;
      if (t.status === "paused") t.snapshotAt = now;
      if (t.status === "pending") {
        t.phase = "boot";
        t.nextAt = now + this.dur(t, 3, 10);
      } else if (t.status === "initializing") {
        t.phase = "init";
        t.nextAt = now + this.dur(t, 10, 40);
      }
    }
    if (patch.state === null) t.current = null;
    else if (patch.state !== undefined || patch.message !== undefined) {
      const state = patch.state ?? t.current?.state ?? "idle";
      const message = patch.message ?? stateMessage(t.rng, state);
      t.current = { state, message, at: now, uri: "" };
    }
    if (t.status === "active" && t.current?.state === "working") {
      t.phase = "work";
      t.nextAt = now + this.dur(t, 20, 120);
    }
    t.updatedAt = now;
  }
}
