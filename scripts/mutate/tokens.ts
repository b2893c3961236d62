/**
 * Edits compared as tokens, not characters: whitespace, comments and semicolons do not count. A
 * generated mutant whose edit leaves the same tokens is textually equivalent (skipped), and two
 * mutants that make the same token edit at the same place are one (the second is dropped).
 */
import ts from "typescript";

/** One token of a piece of TypeScript and where it starts in that piece. */
export interface Token {
  text: string;
  at: number;
}

const K = ts.SyntaxKind;
/** After these a `/` divides; after anything else it opens a regular expression. */
const OPERAND_END = new Set<ts.SyntaxKind>([
  K.Identifier,
  K.PrivateIdentifier,
  K.NumericLiteral,
  K.BigIntLiteral,
  K.StringLiteral,
  K.NoSubstitutionTemplateLiteral,
  K.TemplateTail,
  K.RegularExpressionLiteral,
  K.CloseParenToken,
  K.CloseBracketToken,
  K.CloseBraceToken,
  K.ThisKeyword,
  K.SuperKeyword,
  K.TrueKeyword,
  K.FalseKeyword,
  K.NullKeyword,
  K.PlusPlusToken,
  K.MinusMinusToken,
]);

/**
 * The tokens of a piece of TypeScript (a file or a fragment of one), without trivia and without
 * semicolons. Template literals and regular expressions come out whole, as the parser sees them.
 */
export function tokenize(text: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: Token[] = [];
  const braces: boolean[] = []; // per open brace: does it close a template's `${`?
  let prev: ts.SyntaxKind = K.Unknown;
  for (let k = scanner.scan(); k !== K.EndOfFileToken; k = scanner.scan()) {
    if (k === K.TemplateHead || k === K.OpenBraceToken) braces.push(k === K.TemplateHead);
    else if (k === K.CloseBraceToken && braces.pop()) {
      k = scanner.reScanTemplateToken(false);
      if (k === K.TemplateMiddle) braces.push(true);
    } else if ((k === K.SlashToken || k === K.SlashEqualsToken) && !OPERAND_END.has(prev)) {
      k = scanner.reScanSlashToken();
    }
    if (k !== K.SemicolonToken) {
      out.push({ text: scanner.getTokenText(), at: scanner.getTokenStart() });
    }
    prev = k;
  }
  return out;
}

/** What an edit changes, as tokens: common tokens at both ends are trimmed away. */
export interface TokenEdit {
  /** Where the change starts, in characters from the start of `before`. */
  offset: number;
  removed: string[];
  added: string[];
}

/** The token change that replacing `before` by `after` makes (both empty: no change at all). */
export function tokenEdit(before: string, after: string): TokenEdit {
  const a = tokenize(before);
  const b = tokenize(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head].text === b[head].text) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail].text === b[b.length - 1 - tail].text
  ) tail++;
  return {
    offset: head < a.length ? a[head].at : before.length,
    removed: a.slice(head, a.length - tail).map((t) => t.text),
    added: b.slice(head, b.length - tail).map((t) => t.text),
  };
}

/** Replacing `before` by `after` changes no token: the program is the same. */
export function textuallyEquivalent(before: string, after: string): boolean {
  const e = tokenEdit(before, after);
  return e.removed.length === 0 && e.added.length === 0;
}
