import { afterEach, describe, expect, it } from 'vitest';
import { marked } from './marked';
import { setWindowLanguage } from './language.svelte';

describe('marked', () => {
  afterEach(() => setWindowLanguage('en'));

  it('cuts a message where its marked arguments go, in the language’s order', () => {
    expect(marked('settings.mode.running', { mode: 'live' })).toEqual([
      { text: 'Running as ', arg: null },
      { text: 'live', arg: 'mode' },
      { text: '. A change applies when Paydesk restarts.', arg: null },
    ]);
    setWindowLanguage('zh-CN');
    const segments = marked('settings.mode.running', { mode: 'live' });
    expect(segments.filter((s) => s.arg === 'mode')).toEqual([{ text: 'live', arg: 'mode' }]);
    expect(segments.map((s) => s.text).join('')).toContain('live');
  });
});
