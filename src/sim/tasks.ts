/**
 * Simulated Coder Tasks: the task store, its lazy evolution over (paced) time, the wire shapes
 * of v2.29+ and of v2.27, and the `/tasks` routes.
 */
import {
  findUser,
  type SimTemplate,
  type SimUser,
  templateOfVersion,
  type World,
} from "./deployment.ts";
import {
  coderError,
  empty,
  HttpAnswer,
  invalidQuery,
  json,
  readBody,
  requiredField,
  resourceNotFound,
  unknownUser,
} from "./http.ts";
import type { Router } from "./router.ts";
import { pickJob, stateMessage, stateUri, welcomeScreen, workScreen } from "./seed.ts";
import { isoZ, isUuid, nanoZ, NIL_UUID, Rng, squash } from "./util.ts";

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

const TASK_STATUSES = ["pending", "initializing", "active", "paused", "unknown", "error"];
const TO_WORKSPACE: Record<string, string> = {
  pending: "pending",
  initializing: "starting",
  active: "running",
  paused: "stopped",
  error: "failed",
  unknown: "canceling",
};
const FROM_WORKSPACE: Record<string, string> = {
  running: "active",
  starting: "initializing",
  stopped: "paused",
  failed: "error",
};
const NAME_RE = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;

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

  /** Live tasks in creation order. */
  get all(): readonly TaskRec[] {
    return this.#list;
  }

  /** A live task by id. */
  get(id: string): TaskRec | undefined {
    return this.#byId.get(id);
  }

  #dur(t: TaskRec, minS: number, maxS: number): number {
    return t.rng.int(minS * 1000, maxS * 1000) / this.world.pace;
  }

  #add(t: TaskRec): void {
    this.#list.push(t);
    this.#byId.set(t.id, t);
  }

  #remove(t: TaskRec): void {
    this.#byId.delete(t.id);
    this.#list = this.#list.filter((x) => x !== t);
  }

  #newRec(owner: SimUser, template: SimTemplate, name: string, prompt: string, at: number) {
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
    const now = Date.now();
    const ai = this.world.templates.filter((x) => x.ai);
    for (let i = 0; i < n; i++) {
      const kind = i < KINDS.length ? KINDS[i] : this.#rng.pick(WEIGHTED);
      const owner = this.world.users[i % this.world.users.length];
      const job = pickJob(this.#rng);
      const t = this.#newRec(owner, ai[i % ai.length], `${job.base}-${i + 1}`, job.prompt, now);
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
          t.nextAt = now + this.#dur(t, 3, 10);
          break;
        case "initializing":
          t.createdAt = now - r.int(15_000, 30_000);
          t.updatedAt = now - r.int(2_000, 10_000);
          t.status = "initializing";
          t.phase = "init";
          t.nextAt = now + this.#dur(t, 5, 30);
          break;
        case "working":
          settle("working", now - r.int(10_000, 120_000));
          t.phase = "work";
          t.nextAt = now + this.#dur(t, 20, 200);
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
      this.#add(t);
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
        t.nextAt = at + this.#dur(t, 10, 40);
        break;
      case "init":
        t.status = "active";
        t.updatedAt = at;
        t.current = { state: "working", message: stateMessage(t.rng, "working"), at, uri: "" };
        t.logs.push({ content: welcomeScreen(t.prompt, model), type: "output", at });
        t.work = t.prompt;
        t.phase = "work";
        t.nextAt = at + this.#dur(t, 30, 240);
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
    const now = Date.now();
    t.nextAt = Infinity;
    t.phase = "none";
    if (patch.status !== undefined) {
      t.status = FROM_WORKSPACE[patch.status] ?? patch.status;
      if (t.status === "paused") t.snapshotAt = now;
      if (t.status === "pending") {
        t.phase = "boot";
        t.nextAt = now + this.#dur(t, 3, 10);
      } else if (t.status === "initializing") {
        t.phase = "init";
        t.nextAt = now + this.#dur(t, 10, 40);
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
      t.nextAt = now + this.#dur(t, 20, 120);
    }
    t.updatedAt = now;
  }

  /** The status word on the wire. */
  wireStatus(t: TaskRec): string {
    return this.world.profile === "old" ? (TO_WORKSPACE[t.status] ?? t.status) : t.status;
  }

  /** The task as Coder serializes it (v2.29+ codersdk.Task, or the 18-key v2.27 shape). */
  wire(t: TaskRec): Record<string, unknown> {
    const w = this.world;
    const hasAgent = t.status !== "pending" && t.status !== "error";
    const lifecycle = !hasAgent
      ? null
      : t.status === "initializing"
      ? "starting"
      : t.status === "paused"
      ? "off"
      : "ready";
    const health = !hasAgent
      ? null
      : t.status === "paused"
      ? { healthy: false, reason: "agent is not connected" }
      : { healthy: true };
    const current = t.current
      ? {
        timestamp: w.time(t.current.at),
        state: t.current.state,
        message: t.current.message,
        uri: t.current.uri,
      }
      : null;
    if (w.profile === "old") {
      return {
        id: t.id,
        organization_id: w.org.id,
        owner_id: t.owner.id,
        owner_name: t.owner.username,
        name: t.name,
        template_id: t.template.id,
        template_name: t.template.name,
        template_display_name: t.template.displayName,
        template_icon: "",
        workspace_id: t.id,
        workspace_agent_id: hasAgent ? t.agentId : null,
        workspace_agent_lifecycle: lifecycle,
        workspace_agent_health: health ? { healthy: true } : null,
        initial_prompt: t.prompt,
        status: this.wireStatus(t),
        current_state: current,
        created_at: w.time(t.createdAt),
        updated_at: w.time(t.createdAt),
      };
    }
    const nu = (id: string, valid: boolean) => ({ uuid: valid ? id : NIL_UUID, valid });
    return {
      id: t.id,
      organization_id: w.org.id,
      owner_id: t.owner.id,
      owner_name: t.owner.username,
      owner_avatar_url: "",
      name: t.name,
      display_name: t.displayName,
      template_id: t.template.id,
      template_version_id: t.template.activeVersionId,
      template_name: t.template.name,
      template_display_name: t.template.displayName,
      template_icon: "",
      workspace_id: nu(t.workspaceId, true),
      workspace_name: `task-${t.name}`.slice(0, 32),
      workspace_status: TO_WORKSPACE[t.status] ?? "running",
      workspace_build_number: t.buildNumber,
      workspace_agent_id: nu(t.agentId, hasAgent),
      workspace_agent_lifecycle: lifecycle,
      workspace_agent_health: health,
      workspace_app_id: nu(t.appId, t.status === "active" || t.status === "paused"),
      initial_prompt: t.prompt,
      status: t.status,
      current_state: current,
      created_at: w.time(t.createdAt),
      updated_at: w.time(t.updatedAt),
    };
  }

  #logJson(t: TaskRec) {
    const fmt = this.world.profile === "old" ? nanoZ : isoZ;
    return t.logs.map((l, id) => ({ id, content: l.content, type: l.type, time: fmt(l.at) }));
  }

  #build(t: TaskRec, transition: "start" | "stop") {
    const w = this.world;
    const now = Date.now();
    const id = t.rng.uuid();
    return {
      id,
      build_number: t.buildNumber,
      created_at: w.time(now),
      updated_at: w.time(now),
      workspace_id: t.workspaceId,
      workspace_name: `task-${t.name}`.slice(0, 32),
      workspace_owner_id: t.owner.id,
      workspace_owner_name: t.owner.username,
      template_version_id: t.template.activeVersionId,
      template_version_name: t.template.versionName,
      transition,
      initiator_id: w.me.id,
      initiator_name: w.me.username,
      reason: "initiator",
      status: "pending",
      job: {
        id: t.rng.uuid(),
        status: "pending",
        created_at: w.time(now),
        error: "",
        file_id: t.template.id,
        tags: { scope: "organization" },
        type: "workspace_build",
      },
      resources: [],
      deadline: null,
      max_deadline: null,
      daily_cost: 0,
    };
  }

  #resolve(userRef: string, taskRef: string): TaskRec {
    const user = findUser(this.world, userRef);
    if (!user) throw new HttpAnswer(unknownUser(userRef));
    let t: TaskRec | undefined;
    if (isUuid(taskRef)) t = this.#byId.get(taskRef.toLowerCase());
    else t = this.#list.find((x) => x.owner === user && x.name === taskRef);
    if (!t || t.owner !== user) throw new HttpAnswer(resourceNotFound());
    return t;
  }

  #list_(q: string): Response {
    let owner: SimUser | null | undefined;
    let orgOk = true;
    let status: string | undefined;
    for (const term of q.trim() ? q.trim().split(/\s+/) : []) {
      const i = term.indexOf(":");
      const key = i < 0 ? "" : term.slice(0, i).toLowerCase();
      const value = i < 0 ? term : term.slice(i + 1);
      if (key === "owner") owner = findUser(this.world, value) ?? null;
      else if (key === "organization") {
        orgOk = value === this.world.org.id || value === this.world.org.name;
      } else if (key === "status") {
        if (this.world.profile !== "old" && !TASK_STATUSES.includes(value)) {
          return invalidQuery(
            `Query param "status" has invalid value: "${value}" is not a valid task status`,
          );
        }
        status = value;
      } else {
        return invalidQuery(`Query param "${key || term}" is not a valid query param`);
      }
    }
    const picked: TaskRec[] = [];
    if (orgOk && owner !== null) {
      for (const t of this.#list) {
        if (owner && t.owner !== owner) continue;
        if (status && this.wireStatus(t) !== status && t.status !== status) continue;
        picked.push(t);
      }
    }
    picked.sort((a, b) => b.createdAt - a.createdAt);
    const tasks = picked.map((t) => this.wire(t));
    return json(200, { tasks, count: tasks.length });
  }

  #create(userRef: string, body: Record<string, unknown>): Response {
    const w = this.world;
    const owner = findUser(w, userRef);
    if (!owner) return unknownUser(userRef);
    const input = typeof body.input === "string" ? body.input : "";
    if (input.trim() === "") return requiredField("input");
    const tvId = typeof body.template_version_id === "string" ? body.template_version_id : "";
    const template = isUuid(tvId) ? templateOfVersion(w, tvId.toLowerCase()) : undefined;
    if (!template) {
      return coderError(400, "Template version not found.", `template version "${tvId}"`);
    }
    if (!template.ai) {
      return coderError(400, 'Template does not have a valid "coder_ai_task" resource.');
    }
    const presets = w.presets.get(template.activeVersionId) ?? [];
    let presetId = presets.find((p) => p.Default)?.ID;
    if (typeof body.template_version_preset_id === "string" && body.template_version_preset_id) {
      const p = presets.find((x) => x.ID === body.template_version_preset_id);
      if (!p) return coderError(400, "Template version preset not found.");
      presetId = p.ID;
    }
    let name = typeof body.name === "string" ? body.name.trim() : "";
    if (name) {
      if (!NAME_RE.test(name) || name.length > 32) {
        return coderError(400, "Validation failed.", undefined, [{
          field: "name",
          detail: `Validation failed for tag "task_name" with value: "${name}"`,
        }]);
      }
      if (this.#list.some((x) => x.owner === owner && x.name === name)) {
        const noun = w.profile === "old" ? "Workspace" : "Task";
        return coderError(409, `${noun} "${name}" already exists.`, undefined, [{
          field: "name",
          detail: "This value is already in use and should be unique.",
        }]);
      }
    } else {
      const slug = input.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(" ")
        .slice(0, 3).join("-").slice(0, 24).replace(/-+$/, "") || "task";
      do name = `${slug}-${this.#rng.hex(4)}`; while (
        this.#list.some((x) => x.owner === owner && x.name === name)
      );
    }
    const now = Date.now();
    const t = this.#newRec(owner, template, name, input, now);
    t.presetId = presetId;
    if (typeof body.display_name === "string" && body.display_name) {
      t.displayName = body.display_name;
    }
    t.phase = "boot";
    t.nextAt = now + this.#dur(t, 3, 10);
    this.#add(t);
    return json(201, this.wire(t));
  }

  #send(t: TaskRec, input: string): Response {
    const busy = t.status !== "active" || t.current?.state === "working";
    if (busy) {
      const old = this.world.profile === "old";
      const word = t.status === "active" ? (old ? "running" : "working") : this.wireStatus(t);
      return coderError(
        old ? 502 : 409,
        "Task app is not ready to accept input.",
        `Status: ${word}`,
      );
    }
    const now = Date.now();
    t.logs.push({ content: input, type: "input", at: now });
    t.work = input;
    t.current = { state: "working", message: `Working on: ${squash(input, 80)}`, at: now, uri: "" };
    t.updatedAt = now;
    t.phase = "work";
    t.nextAt = now + this.#dur(t, 20, 120);
    return empty(204);
  }

  #logs(t: TaskRec): Response {
    const old = this.world.profile === "old";
    switch (t.status) {
      case "active":
        return json(
          200,
          old ? { logs: this.#logJson(t) } : { logs: this.#logJson(t), snapshot: false },
        );
      case "paused":
        if (old) return coderError(400, "Task is not configured with a sidebar app.");
        return json(200, {
          logs: this.#logJson(t),
          snapshot: true,
          snapshot_at: this.world.time(t.snapshotAt ?? t.updatedAt),
        });
      case "pending":
      case "initializing":
        return coderError(400, "Task is not configured with a sidebar app.");
      case "error":
        return coderError(
          409,
          "Task is in an error state.",
          "The task's workspace build failed: terraform plan: exit status 1",
        );
      default:
        return coderError(409, "Task app is not available.", `Task status: ${this.wireStatus(t)}`);
    }
  }

  /** Register the Tasks routes under `prefix` (`/api/v2` or `/api/experimental`). */
  register(router: Router, prefix: string): void {
    const P = `${prefix}/tasks`;
    router.add("GET", P, ({ query }) => this.#list_(query.get("q") ?? ""));
    router.add("POST", `${P}/{user}`, async ({ req, params }) => {
      return this.#create(params.user, await readBody(req));
    });
    router.add("GET", `${P}/{user}/{task}`, ({ params }) => {
      return json(200, this.wire(this.#resolve(params.user, params.task)));
    });
    router.add("DELETE", `${P}/{user}/{task}`, ({ params }) => {
      this.#remove(this.#resolve(params.user, params.task));
      return empty(202);
    });
    router.add("PATCH", `${P}/{user}/{task}/input`, async ({ req, params }) => {
      const t = this.#resolve(params.user, params.task);
      const body = await readBody(req);
      const input = typeof body.input === "string" ? body.input : "";
      if (input.trim() === "") return requiredField("input");
      if (t.status !== "paused") {
        return coderError(
          409,
          "Task input can only be updated while the task is paused.",
          `Task status: ${this.wireStatus(t)}`,
        );
      }
      t.prompt = input;
      t.updatedAt = Date.now();
      return empty(204);
    });
    router.add("GET", `${P}/{user}/{task}/logs`, ({ params }) => {
      return this.#logs(this.#resolve(params.user, params.task));
    });
    router.add("POST", `${P}/{user}/{task}/send`, async ({ req, params }) => {
      const t = this.#resolve(params.user, params.task);
      const body = await readBody(req);
      const input = typeof body.input === "string" ? body.input : "";
      if (input === "") return requiredField("input");
      return this.#send(t, input);
    });
    router.add("POST", `${P}/{user}/{task}/pause`, ({ params }) => {
      const t = this.#resolve(params.user, params.task);
      if (t.status !== "active") {
        return coderError(409, "Task is not running.", `Task status: ${this.wireStatus(t)}`);
      }
      const now = Date.now();
      t.status = "paused";
      t.snapshotAt = now;
      t.updatedAt = now;
      t.buildNumber++;
      t.phase = "none";
      t.nextAt = Infinity;
      return json(202, { workspace_build: this.#build(t, "stop") });
    });
    router.add("POST", `${P}/{user}/{task}/resume`, ({ params }) => {
      const t = this.#resolve(params.user, params.task);
      if (t.status !== "paused") {
        return coderError(409, "Task is not paused.", `Task status: ${this.wireStatus(t)}`);
      }
      const now = Date.now();
      t.status = "initializing";
      t.updatedAt = now;
      t.buildNumber++;
      t.phase = "resume";
      t.nextAt = now + this.#dur(t, 8, 25);
      return json(202, { workspace_build: this.#build(t, "start") });
    });
  }
}
