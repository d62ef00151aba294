/**
 * No component (and no module of the window's logic) shows a person a literal string: every
 * word read on screen comes from the catalogues through `t`. This walks each component's
 * template (svelte/compiler) for text and readable attributes (title, placeholder, aria-label,
 * ...), and the string literals of its script, of its template's expressions and of the
 * window's .ts modules (TypeScript's scanner) for what reads as words: a capitalised word
 * ("Paid") or a phrase ("Not printed"). Names that are the same in every language (the
 * gateways', Paydesk, key names such as F2, currency codes) are allowed; a literal that is not
 * for people but reads like words takes `// i18n-ignore` on its line.
 */
/// <reference types="node" />
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../..', import.meta.url));

/** The same in every language: names, key names, codes. */
const NAMES = new Set([
  'Paydesk', 'IOTPay', 'SMEPay', 'SmartPay', 'SmartExPay', 'WeChat Pay', 'Alipay', 'UnionPay', 'UPI',
  'Visa', 'Mastercard', 'PostgreSQL', 'SQLite', 'ESC/POS', 'PDF', 'CSV', 'QR', 'OK', 'PAX', 'CC_PAX',
]);
const KEY_NAMES =
  /^(F\d{1,2}|Esc|Escape|Enter|Tab|Backspace|Delete|Home|End|PageUp|PageDown|Arrow(Up|Down|Left|Right)|Space|Shift|Control|Ctrl|Alt|Meta)$/;
const READABLE_ATTRIBUTES = new Set([
  'title', 'placeholder', 'aria-label', 'alt', 'label', 'aria-description', 'aria-roledescription',
  'aria-valuetext', 'aria-placeholder',
]);

function allowed(text: string): boolean {
  const s = text.trim();
  if (!/\p{L}/u.test(s)) return true;
  if (NAMES.has(s) || KEY_NAMES.test(s) || /^[A-Z]{3}$/.test(s)) return true;
  return false;
}

/** A string literal that reads like words for a person. */
function readsLikeWords(text: string): boolean {
  const s = text.trim();
  if (allowed(s)) return false;
  if (/^[A-Z][a-z’']+[.!?…:]?$/.test(s)) return true; // "Paid", "Refund:"
  return /^[A-Z¿¡][\p{L}’']*[,:]?\s+\S/u.test(s) && /\p{Ll}/u.test(s); // "Not printed", "Tap, insert or swipe"
}

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return ['bindings', 'i18n'].includes(name) ? [] : files(path, pattern);
    return pattern.test(name) && !name.endsWith('.test.ts') && name !== 'testing.ts' ? [path] : [];
  });
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

function ignored(source: string, offset: number): boolean {
  const line = source.split('\n')[lineOf(source, offset) - 1] ?? '';
  return line.includes('i18n-ignore');
}

/** String literals in a TypeScript text that read like words, with their offsets. */
function scriptLiterals(code: string, base: number): { offset: number; text: string }[] {
  const found: { offset: number; text: string }[] = [];
  const file = ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const parent = node.parent;
      const isComparison =
        ts.isBinaryExpression(parent) &&
        [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind);
      const isKey = ts.isPropertyAssignment(parent) && parent.name === node;
      const isModule = ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent);
      const isConsole =
        ts.isCallExpression(parent) && /^console\./.test(parent.expression.getText(file));
      if (!isComparison && !isKey && !isModule && !isConsole && !ts.isCaseClause(parent) && !ts.isLiteralTypeNode(parent) && readsLikeWords(node.text)) {
        found.push({ offset: base + node.getStart(file), text: node.text });
      }
    }
    if (ts.isTemplateExpression(node)) {
      const head = node.head.text;
      if (readsLikeWords(head)) found.push({ offset: base + node.getStart(file), text: head });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Everything a person would read as a literal in one component. */
function componentLiterals(path: string): string[] {
  const source = readFileSync(path, 'utf8');
  const ast = parse(source, { modern: true });
  const found: { offset: number; text: string }[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const walk = (node: any, inAttribute: string | null) => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'Text') {
      const readable = inAttribute === null || READABLE_ATTRIBUTES.has(inAttribute);
      if (readable && !allowed(node.data)) found.push({ offset: node.start, text: node.data.trim() });
      return;
    }
    if (node.type === 'Literal' && typeof node.value === 'string') {
      if (readsLikeWords(node.value)) found.push({ offset: node.start, text: node.value });
      return;
    }
    if (node.type === 'Attribute') {
      const values = Array.isArray(node.value) ? node.value : [node.value];
      for (const value of values) walk(value, node.name);
      return;
    }
    if (node.type === 'Comment' || node.type === 'Script' || node.type === 'StyleSheet') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent' || key === 'metadata') continue;
      if (Array.isArray(value)) value.forEach((v) => walk(v, inAttribute));
      else if (value && typeof value === 'object') walk(value, inAttribute);
    }
  };
  walk(ast.fragment, null);
  for (const script of [ast.instance, ast.module]) {
    if (!script) continue;
    const start = (script.content as unknown as { start: number }).start;
    const end = (script.content as unknown as { end: number }).end;
    found.push(...scriptLiterals(source.slice(start, end), start));
  }
  return found
    .filter((f) => !ignored(source, f.offset))
    .map((f) => `${relative(SRC, path)}:${lineOf(source, f.offset)}: ${JSON.stringify(f.text.slice(0, 60))}`);
}

function moduleLiterals(path: string): string[] {
  const source = readFileSync(path, 'utf8');
  return scriptLiterals(source, 0)
    .filter((f) => !ignored(source, f.offset))
    .map((f) => `${relative(SRC, path)}:${lineOf(source, f.offset)}: ${JSON.stringify(f.text.slice(0, 60))}`);
}

describe('no literal words outside the catalogues', () => {
  const components = files(join(SRC), /\.svelte$/);
  const modules = files(join(SRC, 'lib'), /\.ts$/);
  const found = new Map<string, string[]>();
  for (const path of components) found.set(relative(SRC, path), componentLiterals(path));
  for (const path of modules) found.set(relative(SRC, path), moduleLiterals(path));

  it('in the components and the window modules', () => {
    const offending = [...found].flatMap(([, lines]) => lines);
    expect(offending).toEqual([]);
  });

  it('catches what it is meant to', () => {
    expect(readsLikeWords('Paid')).toBe(true);
    expect(readsLikeWords('Not printed')).toBe(true);
    expect(readsLikeWords('Tap, insert or swipe on the terminal')).toBe(true);
    expect(readsLikeWords('IOTPay')).toBe(false);
    expect(readsLikeWords('F2')).toBe(false);
    expect(readsLikeWords('CAD')).toBe(false);
    expect(readsLikeWords('till-bar')).toBe(false);
    expect(readsLikeWords('button')).toBe(false);
  });
});
