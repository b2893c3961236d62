/**
 * Issue 18, helper for the Tasks back end and the model (src/backends/tasks/, src/model/): the
 * survivors that cannot change behaviour. See ignore.ts for the rules.
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_TASKS: Ignored[] = [
  {
    file: "src/backends/tasks/backend.ts",
    line: 106,
    before: "summaries.skipped",
    after: "true",
    why: "with nothing skipped it sets `skipped` to undefined, which every reader takes as " +
      "absent (`list.skipped ?? []` in fleet.ts); an array's extra member is not serialised",
  },
  {
    file: "src/backends/tasks/backend.ts",
    line: 248,
    before: "80",
    after: "79",
    why: "the cap on the task name in the name-taken error: create_task takes names of at most " +
      "64 characters (68 with the `-N` of several prompts), never near 80",
  },
  {
    file: "src/backends/tasks/backend.ts",
    line: 248,
    before: "80",
    after: "81",
    why: "the cap on the task name in the name-taken error: create_task takes names of at most " +
      "64 characters (68 with the `-N` of several prompts), never near 80",
  },
  {
    file: "src/model/handle.ts",
    before: "slash >= 0",
    after: "slash > 0",
    why: "a handle that starts with `/` (slash at 0): as owner/name its owner is empty, no " +
      "owner; as a bare name it is no task name (the first character must be a letter or " +
      "digit) and no title (a title has no `/`): undefined either way",
  },
  {
    file: "src/model/handle.ts",
    before: "0",
    after: "1",
    line: 58,
    why: "`slash >= 1` is `slash > 0`: a handle that starts with `/` is refused either way " +
      "(see the entry above)",
  },
  ...[39, 57].map((column) => ({
    file: "src/model/agent.ts",
    line: 137,
    column,
    before: "1",
    after: "2",
    why: "compareAgents' tie order by id as -2/2 instead of -1/1: every caller reads only its " +
      "sign (Array.sort, and `< 0` in tools/cursor.ts)",
  })),
  {
    file: "src/model/backend.ts",
    before: '"FleetError"',
    after: '""',
    why: "nothing reads a FleetError's name (see the entry for its removal in ignore.ts): it is " +
      "told by instanceof and rendered from message and next",
  },
  {
    file: "src/backends/tasks/templates.ts",
    before: "matches.length > 1",
    after: "matches.length >= 1",
    why: "the line above returns the one match, so here there are none or at least two, and " +
      "`> 1` and `>= 1` agree on both",
  },
  {
    file: "src/backends/tasks/templates.ts",
    line: 79,
    before: "1",
    after: "0",
    why: "`matches.length > 0` after the line above returned the one match: none or at least " +
      "two, where `> 0` and `> 1` agree",
  },
  {
    file: "src/backends/tasks/mapping.ts",
    before: "this.#updated === this.#created",
    after: "false",
    why: "a shortcut: when the two times are equal, `created` already is the ISO string that " +
      "`new Date(this.#updated).toISOString()` would build again",
  },
  {
    file: "src/backends/tasks/mapping.ts",
    before: "this.since === this.#created",
    after: "false",
    why: "a shortcut: when the two times are equal, `created` already is the ISO string that " +
      "`new Date(this.since).toISOString()` would build again",
  },
  {
    file: "src/backends/tasks/api.ts",
    line: 70,
    before:
      'await client.request("POST", `${prefix}/tasks/${segment(user, "task owner")}`, {\nbody,\nschema: TaskSchema,\nexpect: [201],\nsignal,\n})',
    after:
      'client.request("POST", `${prefix}/tasks/${segment(user, "task owner")}`, {\nbody,\nschema: TaskSchema,\nexpect: [201],\nsignal,\n})',
    why: "`return await p` and `return p` in an async function outside any try: the caller's " +
      "promise settles the same way with the same value or error",
  },
  {
    file: "src/backends/tasks/templates_api.ts",
    line: 89,
    before:
      'await client.get(`/api/v2/templates/${segment(id, "template id")}`, TemplateSchema, {\nsignal,\n})',
    after:
      'client.get(`/api/v2/templates/${segment(id, "template id")}`, TemplateSchema, {\nsignal,\n})',
    why: "`return await p` and `return p` in an async function outside any try: the caller's " +
      "promise settles the same way with the same value or error",
  },
  {
    file: "src/backends/tasks/templates_api.ts",
    line: 101,
    before:
      'await client.get(\n`/api/v2/organizations/${segment(org, "organization")}/templates/${\nsegment(name, "template name")\n}`,\nTemplateSchema,\n{ signal },\n)',
    after:
      'client.get(\n`/api/v2/organizations/${segment(org, "organization")}/templates/${\nsegment(name, "template name")\n}`,\nTemplateSchema,\n{ signal },\n)',
    why: "`return await p` and `return p` in an async function outside any try: the caller's " +
      "promise settles the same way with the same value or error",
  },
];
