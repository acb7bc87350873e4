import { describe, expect, it } from 'vitest';
import css from '../src/app.css?raw';
import { SEVERITIES } from '../src/lib/types';
import { contrast, themes, type Palette } from './wcag';

/** WCAG 2.2 AA: 4.5:1 for body text, 3:1 for large text and for the parts of UI components. */
const TEXT = 4.5;
const UI = 3;

/** Text colours and the backgrounds the UI puts them on. */
const textPairs: [fg: string, bgs: string[]][] = [
  ['text', ['bg', 'surface', 'surface-2', 'hover', 'selected', 'accent-soft']],
  ['text-muted', ['bg', 'surface', 'surface-2', 'hover', 'selected', 'accent-soft']],
  ['accent', ['bg', 'surface', 'surface-2', 'hover']], // links, the selected choice
  ['accent-text', ['accent']], // primary buttons, the unread count
  ['danger', ['bg', 'surface', 'selected']], // errors, also in the bulk bar
  ['surface', ['danger']], // the solid delete button
  ['ok', ['bg', 'surface', 'hover', 'selected']], // "Saved.", the done mark in rows
  ...SEVERITIES.map((s): [string, string[]] => [`sev-${s}-fg`, [`sev-${s}-bg`]]), // badges
];

/** Non-text parts that carry meaning, and what they sit on. */
const uiPairs: [fg: string, bgs: string[]][] = [
  ['focus', ['bg', 'surface', 'hover', 'selected']], // focus rings, rows included
  ['border-input', ['bg', 'surface']], // edges of text fields and selects
  ['unread', ['surface', 'hover', 'selected']], // the unread dot
  ...SEVERITIES.map((s): [string, string[]] => [`sev-${s}-bar`, ['surface', 'hover', 'selected']]), // row bars
];

function color(p: Palette, name: string): string {
  const v = p[name];
  if (v === undefined) throw new Error(`--${name} is not defined`);
  return v;
}

const { light, dark } = themes(css);

describe('app.css themes', () => {
  it('are read from the stylesheet', () => {
    expect(color(light, 'text')).toMatch(/^#/);
    expect(color(dark, 'text')).not.toBe(color(light, 'text'));
    for (const s of SEVERITIES) expect(color(dark, `sev-${s}-bg`)).not.toBe(color(light, `sev-${s}-bg`));
  });

  for (const [name, palette] of [['light', light], ['dark', dark]] as const) {
    describe(`the ${name} theme`, () => {
      for (const [min, pairs, what] of [
        [TEXT, textPairs, 'text'],
        [UI, uiPairs, 'UI component'],
      ] as const) {
        for (const [fg, bgs] of pairs) {
          for (const bg of bgs) {
            it(`--${fg} on --${bg} meets ${min}:1 (${what})`, () => {
              const ratio = contrast(color(palette, fg), color(palette, bg));
              expect(ratio, `${color(palette, fg)} on ${color(palette, bg)}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(min);
            });
          }
        }
      }
    });
  }
});

describe('contrast', () => {
  it('matches known ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#fff', '#fff')).toBe(1);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
});
