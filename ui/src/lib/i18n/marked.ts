/**
 * A message cut where some of its arguments go, so that those can be marked up (bold, code)
 * in a template wherever the language puts them in the sentence: the sentence stays whole in
 * the catalogue, its word order the translator's.
 */
import { t, type MessageValues } from './translate';
import type { MessageKey } from './catalogues';

export interface Segment {
  text: string;
  /** The argument's name where this segment is one of `marked`, else null (plain text). */
  arg: string | null;
}

const CUT = '\u0000';

export function marked(key: MessageKey, marks: Record<string, string>, values: MessageValues = {}): Segment[] {
  const placeholders = Object.fromEntries(Object.keys(marks).map((name) => [name, `${CUT}${name}${CUT}`]));
  const parts = t(key, { ...values, ...placeholders }).split(CUT);
  return parts
    .map((text, i) => (i % 2 === 1 && text in marks ? { text: marks[text], arg: text } : { text, arg: null }))
    .filter((segment) => segment.arg !== null || segment.text !== '');
}
