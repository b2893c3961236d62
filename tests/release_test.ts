/**
 * The release and CI workflows cannot run here: they are parsed with a YAML parser and checked
 * against the project. Every `deno task` they name exists, the targets are the five release
 * platforms, the file names are the ones the tasks write, and SHA256SUMS and the release cover
 * every artifact.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { BUNDLE, outputPath, parseCompileArgs, TARGETS } from "../scripts/compile.ts";

// deno-lint-ignore no-explicit-any
type Yaml = any;

const denoJson = JSON.parse(await Deno.readTextFile("deno.json"));
const release: Yaml = parse(await Deno.readTextFile(".github/workflows/release.yml"));
const ci: Yaml = parse(await Deno.readTextFile(".github/workflows/ci.yml"));
const ciRun = await Deno.readTextFile(".ci/run");

/** Every `run:` line of a workflow, with its job name. */
function runs(wf: Yaml): { job: string; run: string }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]: [string, Yaml]) =>
    (j.steps as Yaml[]).filter((s) => s.run).map((s) => ({ job, run: String(s.run) }))
  );
}

/** A shell glob (`*` only) as a regular expression. */
const glob = (g: string) =>
  new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`);

/** The words of a command line that name files (no flags, no quoted/variable words). */
const fileWords = (line: string) =>
  line.split(/\s+/).filter((w) => /^[A-Za-z0-9._*-]+$/.test(w) && !w.startsWith("-"));

const basename = (p: string) => p.split("/").pop()!;
const artifacts = [basename(BUNDLE), ...TARGETS.map((t) => basename(outputPath(t)))];

Deno.test("workflows: every deno task they run exists in deno.json", () => {
  const named = [...runs(release), ...runs(ci)].flatMap(({ run }) =>
    [...run.matchAll(/deno task (?:-q )?([a-z][\w:-]*)/g)].map((m) => m[1])
  );
  assert.ok(named.includes("bundle") && named.includes("compile") && named.includes("check"));
  for (const t of named) assert.ok(t in denoJson.tasks, `deno task ${t} is not in deno.json`);
  // .ci/run runs the test task.
  assert.match(ciRun, /deno task test/);
  assert.ok("test" in denoJson.tasks);
});

Deno.test("ci.yml: runs .ci/run on every push", () => {
  assert.ok("push" in ci.on);
  assert.ok(runs(ci).some(({ run }) => run.trim() === "bash .ci/run"));
});

Deno.test("release.yml: on a version tag, tests first, then builds; Deno as pinned in .ci/run", () => {
  const tags: string[] = release.on.push.tags;
  assert.ok(tags.some((t) => glob(t).test(`v${denoJson.version}`)), "the version tag triggers it");
  assert.ok(runs(release).some(({ job, run }) => job === "test" && run.trim() === "bash .ci/run"));
  assert.deepEqual(release.jobs.bundle.needs, "test");
  assert.deepEqual(release.jobs.binaries.needs, "test");
  assert.deepEqual([...release.jobs.publish.needs].sort(), ["binaries", "bundle"]);
  const pinned = /DENO_VERSION=([\d.]+)/.exec(ciRun)![1];
  for (const wf of [release, ci]) {
    for (const job of Object.values(wf.jobs) as Yaml[]) {
      for (const step of job.steps as Yaml[]) {
        if (!step.uses) continue;
        assert.match(step.uses, /^[\w-]+\/[\w-]+@v\d+$/, "actions pinned to a major version");
        if (step.uses.startsWith("denoland/setup-deno")) {
          assert.equal(step.with["deno-version"], pinned);
        }
      }
    }
  }
  // Only the publishing job may write (the release); the rest read.
  assert.deepEqual(release.permissions, { contents: "read" });
  assert.deepEqual(release.jobs.publish.permissions, { contents: "write" });
});

Deno.test("release.yml: the five targets, built generic, uploaded under the names compile writes", () => {
  const job = release.jobs.binaries;
  assert.deepEqual(job.strategy.matrix.target, [...TARGETS]);
  const compile = job.steps.find((s: Yaml) => /deno task compile/.test(s.run ?? "")).run as string;
  const upload = job.steps.find((s: Yaml) => /upload-artifact/.test(s.uses ?? "")).with.path;
  for (const target of TARGETS) {
    const args = compile.replaceAll("${{ matrix.target }}", target).trim().split(/\s+/).slice(3);
    const parsed = parseCompileArgs(args, {}, {});
    assert.equal(parsed.kind, "build", JSON.stringify(parsed));
    if (parsed.kind !== "build") continue;
    assert.equal(parsed.opts.generic, true);
    assert.equal(parsed.opts.target, target);
    assert.ok(!parsed.print);
    assert.match(outputPath(target), glob(upload.replaceAll("${{ matrix.target }}", target)));
  }
  // The bundle job uploads what the bundle task writes.
  assert.match(denoJson.tasks.bundle, new RegExp(`-o ${BUNDLE.replaceAll(".", "\\.")}( |$)`));
  const bundleUpload = release.jobs.bundle.steps.find((s: Yaml) =>
    /upload-artifact/.test(s.uses ?? "")
  );
  assert.equal(bundleUpload.with.path, BUNDLE);
});

Deno.test("release.yml: SHA256SUMS covers every artifact, and the release attaches them all", () => {
  const steps = release.jobs.publish.steps as Yaml[];
  const sums = steps.find((s) => /sha256sum/.test(s.run ?? "")).run as string;
  assert.match(sums, /> SHA256SUMS/);
  const summed = fileWords(sums.split(">")[0]).filter((w) => w !== "sha256sum");
  const rel = steps.find((s) => /gh release create/.test(s.run ?? "")).run as string;
  const attached = fileWords(rel.split("--generate-notes")[1] ?? "");
  for (const name of artifacts) {
    assert.ok(summed.some((g) => glob(g).test(name)), `${name} is not in SHA256SUMS`);
    assert.ok(attached.some((g) => glob(g).test(name)), `${name} is not attached`);
  }
  assert.ok(attached.includes("SHA256SUMS"));
  // Nothing is summed or attached that no job builds.
  for (const g of [...summed, ...attached.filter((w) => w !== "SHA256SUMS")]) {
    assert.ok(artifacts.some((a) => glob(g).test(a)), `${g} matches no artifact`);
  }
  assert.equal(artifacts.length, 6);
  assert.equal(new Set(artifacts).size, 6, "distinct file names");
});
