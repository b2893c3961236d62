/**
 * A deadline on every test a lane runs: a test whose code under test never settles (a promise
 * nobody resolves, a loop waiting on an event that never comes) fails after {@link TEST_MS},
 * naming itself, instead of holding its lane until `deno task mutate`'s timeout or the CI job's.
 * The waits inside tests have shorter deadlines of their own (tests/deadline.ts); this one is the
 * net under everything else. Each lane imports this module first, so it wraps `Deno.test` before
 * any test file registers a test.
 *
 * The deadline is a guard, not a timing assertion: the longest test takes about 15 s alone.
 */

/** How long one test (all its steps) may take in a lane. */
export const TEST_MS = 120_000;

type TestFn = (t: Deno.TestContext) => void | Promise<void>;

/**
 * `fn`, failing once `ms` has passed with an error that names the test and where it was
 * registered (`at`): the runner reports this module as the test's place, the error the real one.
 */
export function withDeadline(name: string, fn: TestFn, ms = TEST_MS, at = ""): TestFn {
  const where = at ? ` (${at})` : "";
  return async (t) => {
    let id: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      id = setTimeout(
        () =>
          reject(new Error(`test "${name}"${where} did not end within ${ms / 1000} s: it hangs`)),
        ms,
      );
    });
    try {
      await Promise.race([fn(t), late]);
    } finally {
      clearTimeout(id);
    }
  };
}

const register = Deno.test;

/** The file and line that called `Deno.test`, relative to tests/. */
function callSite(): string {
  const line = new Error().stack?.split("\n").find((l) =>
    l.includes("/tests/") && !l.includes("/tests/lanes/guard.ts")
  );
  return line?.match(/\/tests\/([^)\s]+):\d+\)?$/)?.[1] ?? "";
}

/** `Deno.test` in each of its forms, with the test's function under a deadline. */
function test(...args: unknown[]): void {
  const last = args.at(-1);
  if (typeof last === "function") {
    const fn = last as TestFn;
    const head = args.slice(0, -1);
    const first = head[0];
    const name = typeof first === "string"
      ? first
      : (first as { name?: string } | undefined)?.name ?? fn.name;
    const guarded = withDeadline(name, fn, TEST_MS, callSite());
    if (head.length === 0) return register({ name, fn: guarded });
    return (register as (...a: unknown[]) => void)(...head, guarded);
  }
  const def = last as Deno.TestDefinition | undefined;
  if (def && typeof def === "object" && typeof def.fn === "function") {
    return register({ ...def, fn: withDeadline(def.name, def.fn, TEST_MS, callSite()) });
  }
  return (register as (...a: unknown[]) => void)(...args);
}
Object.assign(test, { ignore: register.ignore, only: register.only });
Object.defineProperty(Deno, "test", { value: test, writable: true, configurable: true });
