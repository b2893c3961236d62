/**
 * The pool of `deno task mutate --sample`: every mutant that the operators below make in `src/`
 * (not the simulator `src/sim/`, not generated files), found mechanically, none picked by hand.
 *
 * Most operators are StrykerJS's (`@stryker-mutator/instrumenter`, the generator of the StrykerJS
 * mutation tester: it parses TypeScript with Babel and lists each mutant with its place and its
 * replacement). Stryker has no mutator for four of the bugs we want, so {@link ownMutants} finds
 * those sites with the TypeScript compiler API: numeric constants +/-1, `await` dropped, any
 * statement removed (Stryker removes only call and `throw new` statements) and early returns
 * removed.
 *
 * Left out on purpose, from Stryker's set: ObjectLiteral (`{...}` -> `{}`), ArrayDeclaration
 * (`["Stryker was here"]`), ArrowFunction (`() => undefined`), Regex, the filling of empty strings
 * (`"Stryker was here!"`), arithmetic, assignment, update, unary and optional-chaining mutators:
 * not in the bugs the issue named, and most are placeholders rather than slips a person makes.
 */
import ts from "typescript";
import { tokenEdit } from "./tokens.ts";

/** One generated mutant: replace `before` (at `start`..`end` of `file`) by `after`. */
export interface Generated {
  /** `file:line:column operator#k`, unique in the pool. */
  id: string;
  /** From the repository root. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  start: number;
  end: number;
  operator: string;
  before: string;
  after: string;
}

/** Stryker mutators we keep (names as Stryker reports them). */
export const STRYKER_OPERATORS = [
  "EqualityOperator", // `<` <-> `<=`, `<` -> `>=`, `===` <-> `!==`
  "ConditionalExpression", // a condition forced `true` or `false`
  "BooleanLiteral", // `true` <-> `false`, `!x` -> `x`
  "LogicalOperator", // `&&` <-> `||`, `??` -> `&&`
  "StringLiteral", // a string emptied (only that: see `keepStryker`)
  "MethodExpression", // `some` <-> `every`, `startsWith` <-> `endsWith`, `filter` dropped, ...
  "BlockStatement", // a block emptied
  "CallExpression", // a call statement removed (only that: see `keepStryker`)
];

/** Our own operators (TypeScript compiler API). */
export const OWN_OPERATORS = ["NumberShift", "AwaitDropped", "StatementRemoved", "EarlyReturn"];

const ALL_STRYKER = [
  "ArithmeticOperator",
  "ArrayDeclaration",
  "ArrowFunction",
  "AssignmentOperator",
  "BlockStatement",
  "BooleanLiteral",
  "CallExpression",
  "ConditionalExpression",
  "EqualityOperator",
  "LogicalOperator",
  "MethodExpression",
  "ObjectLiteral",
  "OptionalChaining",
  "Regex",
  "StringLiteral",
  "UnaryOperator",
  "UpdateOperator",
];

/** A file that `deno task board` (or another generator) wrote: not mutated. */
export function isGenerated(text: string): boolean {
  return /^\/\/ Generated /.test(text);
}

/** The source files of the pool: TypeScript under src/, not src/sim/, not generated. */
export async function sourceFiles(root: string): Promise<{ file: string; text: string }[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "src"],
    cwd: root,
    stdout: "piped",
  }).output();
  const names = new TextDecoder().decode(out.stdout).split("\0")
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("src/sim/"))
    .sort();
  const files = [];
  for (const file of names) {
    const text = await Deno.readTextFile(`${root}/${file}`).catch(() => undefined);
    if (text !== undefined && !isGenerated(text)) files.push({ file, text });
  }
  return files;
}

/** Where each line of `text` starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

type Site = Pick<Generated, "start" | "end" | "operator" | "after">;

function keepStryker(operator: string, after: string): boolean {
  if (operator === "StringLiteral") return after === '""' || after === "``";
  if (operator === "CallExpression") return after === ";";
  return STRYKER_OPERATORS.includes(operator);
}

/** Stryker's mutants of these files, as sites (offsets into each file). */
async function strykerMutants(
  files: { file: string; text: string }[],
): Promise<Map<string, Site[]>> {
  // Imported here, not above: Babel is heavy, and the unit tests of this module need none of it.
  const { Instrumenter } = await import("@stryker-mutator/instrumenter");
  const quiet = new Proxy({}, {
    get: (_t, p) => String(p).startsWith("is") ? () => false : () => {},
  }) as ConstructorParameters<typeof Instrumenter>[0];
  const result = await new Instrumenter(quiet).instrument(
    files.map((f) => ({ name: f.file, content: f.text, mutate: true })),
    {
      plugins: null,
      excludedMutations: ALL_STRYKER.filter((m) => !STRYKER_OPERATORS.includes(m)),
      ignorers: [],
    },
  );
  const starts = new Map(files.map((f) => [f.file, lineStarts(f.text)]));
  const out = new Map<string, Site[]>();
  for (const m of result.mutants) {
    if (!keepStryker(m.mutatorName, m.replacement)) continue;
    const ls = starts.get(m.fileName)!; // Stryker's lines and columns count from 0
    const { start, end } = m.location;
    const site = {
      start: ls[start.line] + start.column,
      end: ls[end.line] + end.column,
      operator: m.mutatorName,
      after: m.replacement,
    };
    out.set(m.fileName, [...out.get(m.fileName) ?? [], site]);
  }
  return out;
}

const REMOVABLE = new Set([
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement,
]);

/** A number written as a replacement for a literal (parenthesised when negative). */
function numberText(v: number): string {
  return v < 0 ? `(${v})` : String(v);
}

/**
 * The sites of our own operators in one file: each numeric literal +1 and -1 (not in types, not
 * as a property name), each `await` dropped, each expression, `if`, `throw`, `break` or
 * `continue` statement removed, and each `return` that is not the last statement of its
 * function removed (an early return).
 */
export function ownMutants(file: string, text: string): Site[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Site[] = [];
  const add = (node: ts.Node, operator: string, after: string) =>
    out.push({ start: node.getStart(sf), end: node.end, operator, after });
  /** Nothing where a list of statements holds it, an empty block where one statement must be. */
  const removal = (node: ts.Node) =>
    ts.isBlock(node.parent) || ts.isCaseOrDefaultClause(node.parent) ? "" : "{}";
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isImportDeclaration(node)) return;
    const parent = node.parent as ts.Node & { name?: ts.Node };
    if (ts.isNumericLiteral(node) && parent.name !== node) {
      const v = Number(node.text);
      add(node, "NumberShift", numberText(v + 1));
      add(node, "NumberShift", numberText(v - 1));
    } else if (ts.isAwaitExpression(node)) {
      add(node, "AwaitDropped", node.expression.getText(sf));
    } else if (ts.isReturnStatement(node)) {
      const fn = ts.findAncestor(node, ts.isFunctionLike) as ts.FunctionLikeDeclaration | undefined;
      const body = fn?.body;
      const last = body && ts.isBlock(body) ? body.statements.at(-1) : undefined;
      if (last !== node) add(node, "EarlyReturn", removal(node));
    } else if (REMOVABLE.has(node.kind) && !ts.isSourceFile(parent)) {
      add(node, "StatementRemoved", removal(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The pool, in a fixed order, and what was dropped from it. */
export interface Pool {
  mutants: Generated[];
  /** Mutants whose edit changes no token. */
  equivalent: number;
  /** Mutants that made the same edit as an earlier one (Stryker's first). */
  duplicates: number;
}

/** Generate the pool over the source files of the repository at `root`. */
export async function generatePool(root: string): Promise<Pool> {
  const files = await sourceFiles(root);
  const stryker = await strykerMutants(files);
  const pool: Pool = { mutants: [], equivalent: 0, duplicates: 0 };
  for (const { file, text } of files) {
    const starts = lineStarts(text);
    const seen = new Set<string>();
    const sites = [...stryker.get(file) ?? [], ...ownMutants(file, text)];
    const kept: (Site & { before: string })[] = [];
    for (const s of sites) {
      const before = text.slice(s.start, s.end);
      const e = tokenEdit(before, s.after);
      if (e.removed.length === 0 && e.added.length === 0) {
        pool.equivalent++; // textually equivalent: no token changes
        continue;
      }
      const key = `${s.start + e.offset}:${e.removed.join(" ")}=>${e.added.join(" ")}`;
      if (seen.has(key)) {
        pool.duplicates++;
        continue;
      }
      seen.add(key);
      kept.push({ ...s, before });
    }
    kept.sort((a, b) =>
      a.start - b.start || a.end - b.end || a.operator.localeCompare(b.operator) ||
      a.after.localeCompare(b.after)
    );
    const count = new Map<string, number>();
    for (const s of kept) {
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1] <= s.start) line++;
      const at = `${file}:${line + 1}:${s.start - starts[line] + 1} ${s.operator}`;
      const k = count.get(at) ?? 0;
      count.set(at, k + 1);
      pool.mutants.push({
        id: k ? `${at}#${k + 1}` : at,
        file,
        line: line + 1,
        column: s.start - starts[line] + 1,
        ...s,
      });
    }
  }
  return pool;
}
