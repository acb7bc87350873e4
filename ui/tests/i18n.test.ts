import { describe, expect, it } from 'vitest';
import { de, en, formatCount, messages, translate } from '../src/lib/i18n';

describe('i18n', () => {
  it('has exactly the same keys in English and German', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('has no empty strings', () => {
    for (const [lang, table] of Object.entries(messages)) {
      for (const [key, value] of Object.entries(table)) {
        expect(value.trim(), `${lang}:${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(names(de[key]), key).toEqual(names(en[key]));
    }
  });

  it('addresses the reader with "du", never "Sie"', () => {
    for (const value of Object.values(de)) {
      expect(value).not.toMatch(/\b(Sie|Ihr|Ihre|Ihnen)\b/);
    }
  });

  it('fills placeholders', () => {
    expect(translate('en', 'list.total', { n: 5 })).toBe('5 alerts');
    expect(translate('de', 'list.total', { n: 5 })).toBe('5 Meldungen');
    expect(translate('en', 'auth.body')).toContain('#token=');
    expect(translate('de', 'auth.body')).toContain('#token=');
  });
});

describe('formatCount', () => {
  it('groups thousands as Intl does for en-GB and de-DE', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_234_567, -4200]) {
      expect(formatCount('en', n), String(n)).toBe(new Intl.NumberFormat('en-GB').format(n));
      expect(formatCount('de', n), String(n)).toBe(new Intl.NumberFormat('de-DE').format(n));
    }
  });
});
