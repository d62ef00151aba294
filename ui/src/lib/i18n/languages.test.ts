/**
 * The window's catalogues are exactly the languages the core accepts for `shop.language` and a
 * staff member's own (paydesk-core's language.rs, generated into bindings/languages.ts): a
 * language the owner can choose always has its catalogue, and a catalogue added here is one
 * the core also takes (add its tag to language.rs, then `make bindings`).
 */
import { describe, expect, it } from 'vitest';
import { CORE_LANGUAGES } from '../bindings';
import { DEFAULT_LANGUAGE, LANGUAGES } from './catalogues';

describe('the languages', () => {
  it('are the same in the core and in the catalogues', () => {
    expect([...LANGUAGES].sort()).toEqual([...CORE_LANGUAGES].sort());
  });

  it('default to the same one', () => {
    expect(CORE_LANGUAGES[0]).toBe(DEFAULT_LANGUAGE);
  });
});
