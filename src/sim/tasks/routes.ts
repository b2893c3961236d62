/**
 * The `/tasks` routes of the simulated Coder: list with `q`, create, get, delete, input update,
 * logs, send, pause and resume, with Coder's statuses and error bodies.
 */
import { findUser, type SimUser, templateOfVersion, type World } from "../deployment.ts";
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
} from "../http.ts";
import type { Router } from "../router.ts";
import type { TaskRec, TaskStore } from "./store.ts";
import { taskBuild, taskLogJson, taskWire, taskWireStatus } from "./wire.ts";
import { isUuid, squash } from "../util.ts";

const TASK_STATUSES = ["pending", "initializing", "active", "paused", "unknown", "error"];
const NAME_RE = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;

/** The Tasks API over one task store. */
export class TaskRoutes {
  readonly store: TaskStore;
  readonly world: World;

  constructor(store: TaskStore) {
    this.store = store;
    this.world = store.world;
  }

  #resolve(userRef: string, taskRef: string): TaskRec {
    const user = findUser(this.world, userRef);
    if (!user) throw new HttpAnswer(unknownUser(userRef));
    let t: TaskRec | undefined;
    if (isUuid(taskRef)) t = this.store.get(taskRef.toLowerCase());
    else t = this.store.all.find((x) => x.owner === user && x.name === taskRef);
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
      for (const t of this.store.all) {
        if (owner && t.owner !== owner) continue;
        if (status && taskWireStatus(this.world, t) !== status && t.status !== status) continue;
        picked.push(t);
      }
    }
    picked.sort((a, b) => b.createdAt - a.createdAt);
    const tasks = picked.map((t) => taskWire(this.world, t));
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
      if (this.store.all.some((x) => x.owner === owner && x.name === name)) {
        const noun = w.profile === "old" ? "Workspace" : "Task";
        return coderError(409, `${noun} "${name}" already exists.`, undefined, [{
          field: "name",
          detail: "This value is already in use and should be unique.",
        }]);
      }
    } else {
      const slug = input.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(" ")
        .slice(0, 3).join("-").slice(0, 24).replace(/-+$/, "") || "task";
      do name = `${slug}-${this.store.hex(4)}`; while (
        this.store.all.some((x) => x.owner === owner && x.name === name)
      );
    }
    const now = this.world.clock.now();
    const t = this.store.newRec(owner, template, name, input, now);
    t.presetId = presetId;
    if (typeof body.display_name === "string" && body.display_name) {
      t.displayName = body.display_name;
    }
    t.phase = "boot";
    t.nextAt = now + this.store.dur(t, 3, 10);
    this.store.add(t);
    return json(201, taskWire(this.world, t));
  }

  #send(t: TaskRec, input: string): Response {
    const busy = t.status !== "active" || t.current?.state === "working";
    if (busy) {
      const old = this.world.profile === "old";
      const word = t.status === "active"
        ? (old ? "running" : "working")
        : taskWireStatus(this.world, t);
      return coderError(
        old ? 502 : 409,
        "Task app is not ready to accept input.",
        `Status: ${word}`,
      );
    }
    const now = this.world.clock.now();
    t.logs.push({ content: input, type: "input", at: now });
    t.work = input;
    t.current = { state: "working", message: `Working on: ${squash(input, 80)}`, at: now, uri: "" };
    t.updatedAt = now;
    t.phase = "work";
    t.nextAt = now + this.store.dur(t, 20, 120);
    return empty(204);
  }

  #logs(t: TaskRec): Response {
    const old = this.world.profile === "old";
    switch (t.status) {
      case "active":
        return json(
          200,
          old
            ? { logs: taskLogJson(this.world, t) }
            : { logs: taskLogJson(this.world, t), snapshot: false },
        );
      case "paused":
        if (old) return coderError(400, "Task is not configured with a sidebar app.");
        return json(200, {
          logs: taskLogJson(this.world, t),
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
        return coderError(
          409,
          "Task app is not available.",
          `Task status: ${taskWireStatus(this.world, t)}`,
        );
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
      return json(200, taskWire(this.world, this.#resolve(params.user, params.task)));
    });
    router.add("DELETE", `${P}/{user}/{task}`, ({ params }) => {
      this.store.remove(this.#resolve(params.user, params.task));
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
          `Task status: ${taskWireStatus(this.world, t)}`,
        );
      }
      t.prompt = input;
      t.updatedAt = this.world.clock.now();
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
    // v2.27 has no pause or resume routes (they came with v2.29): a 404 "Route not found.".
    if (this.world.profile === "old") return;
    router.add("POST", `${P}/{user}/{task}/pause`, ({ params }) => {
      const t = this.#resolve(params.user, params.task);
      if (t.status !== "active") {
        return coderError(
          409,
          "Task is not running.",
          `Task status: ${taskWireStatus(this.world, t)}`,
        );
      }
      const now = this.world.clock.now();
      t.status = "paused";
      t.snapshotAt = now;
      t.updatedAt = now;
      t.buildNumber++;
      t.phase = "none";
      t.nextAt = Infinity;
      return json(202, { workspace_build: taskBuild(this.world, t, "stop") });
    });
    router.add("POST", `${P}/{user}/{task}/resume`, ({ params }) => {
      const t = this.#resolve(params.user, params.task);
      if (t.status !== "paused") {
        return coderError(
          409,
          "Task is not paused.",
          `Task status: ${taskWireStatus(this.world, t)}`,
        );
      }
      const now = this.world.clock.now();
      t.status = "initializing";
      t.updatedAt = now;
      t.buildNumber++;
      t.phase = "resume";
      t.nextAt = now + this.store.dur(t, 8, 25);
      return json(202, { workspace_build: taskBuild(this.world, t, "start") });
    });
  }
}
