/**
 * The catalogues against each other and against the code: every language has every English key
 * and no other, with the same ICU arguments (a translation that drops {amount} would print a
 * sale without its amount), every message parses, and every key is used somewhere in the code
 * (written out in full: keys are never assembled from parts, so this search is complete): in
 * the window's code, or in the Rust core's (src-tauri/crates/core/src), which prints receipts and
 * shift reports in these words (words.rs), keys there written in double quotes.
 */
/// <reference types="node" />
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, DEFAULT_LANGUAGE } from './catalogues';

const SRC = fileURLToPath(new URL('../..', import.meta.url));
/** The Rust core, whose receipts and shift reports print `print.*` words from these catalogues. */
const CORE = fileURLToPath(new URL('../../../../src-tauri/crates/core/src', import.meta.url));
/** The gateways' tables, whose status words and codes carry their `gateway_word.*` keys. */
const GATEWAYS = fileURLToPath(new URL('../../../../src-tauri/crates/gateways/src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'catalogues' || name === 'bindings' ? [] : sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** The core's Rust files (with the unit tests written beside the code). */
function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return rustFiles(path);
    return /\.rs$/.test(name) ? [path] : [];
  });
}

/** The argument names of an ICU message, nested ones (inside plurals) included. */
function argumentsOf(message: string, lang: string): string[] {
  const names = new Set<string>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const walk = (nodes: any[]) => {
    for (const node of nodes) {
      if (typeof node.value === 'string' && node.type !== 0 && node.type !== 7) names.add(node.value);
      if (node.options) for (const option of Object.values(node.options)) walk((option as { value: unknown[] }).value);
      if (Array.isArray(node.children)) walk(node.children);
    }
  };
  walk(new IntlMessageFormat(message, lang).getAst());
  return [...names].sort();
}

const english = CATALOGUES.get(DEFAULT_LANGUAGE)!;
const englishKeys = Object.keys(english).sort();

describe('the catalogues', () => {
  it('are English, French (Canada), Simplified Chinese and Hindi', () => {
    expect([...CATALOGUES.keys()].sort()).toEqual(['en', 'fr-CA', 'hi', 'zh-CN']);
  });

  for (const [lang, catalogue] of CATALOGUES) {
    it(`${lang} has exactly the English keys`, () => {
      const keys = Object.keys(catalogue).sort();
      expect(englishKeys.filter((k) => !keys.includes(k)), `missing in ${lang}`).toEqual([]);
      expect(keys.filter((k) => !englishKeys.includes(k)), `not in English (${lang})`).toEqual([]);
    });

    it(`${lang}'s messages parse and take the English arguments`, () => {
      const wrong: string[] = [];
      for (const key of englishKeys) {
        const text = (catalogue as Record<string, string>)[key];
        if (text === undefined) continue;
        if (text.trim() === '') {
          wrong.push(`${key}: empty`);
          continue;
        }
        try {
          const mine = argumentsOf(text, lang).join(',');
          const theirs = argumentsOf((english as Record<string, string>)[key], 'en').join(',');
          if (mine !== theirs) wrong.push(`${key}: {${mine}} where English has {${theirs}}`);
        } catch (e) {
          wrong.push(`${key}: ${(e as Error).message}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('hold no key the code does not use', () => {
    const code = sourceFiles(SRC)
      .filter((path) => !path.includes(`${join('lib', 'i18n')}`) || /catalogues\.ts$/.test(path))
      .concat(rustFiles(CORE), rustFiles(GATEWAYS))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    const unused = englishKeys.filter(
      (key) => !code.includes(`'${key}'`) && !code.includes(`"${key}"`) && !code.includes(`\`${key}\``),
    );
    expect(unused).toEqual([]);
  });
});
