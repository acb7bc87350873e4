/** WCAG 2 contrast, and the custom properties of app.css's two themes, for the contrast test. */

export type Palette = Record<string, string>;

/** The `--name: value` declarations of the rule whose selector is exactly `selector`. */
export function customProperties(css: string, selector: string): Palette {
  const plain = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const rules = plain.matchAll(/([^{}]+)\{([^{}]*)\}/g);
  for (const [, sel, body] of rules) {
    if (sel?.trim() !== selector) continue;
    const props: Palette = {};
    for (const m of (body ?? '').matchAll(/--([\w-]+)\s*:\s*([^;]+);/g)) props[m[1]!] = m[2]!.trim();
    return props;
  }
  throw new Error(`no rule for ${selector}`);
}

/** The light theme (`:root`) and the dark one (`:root` overridden by `[data-theme='dark']`). */
export function themes(css: string): { light: Palette; dark: Palette } {
  const light = customProperties(css, ':root');
  return { light, dark: { ...light, ...customProperties(css, ":root[data-theme='dark']") } };
}

/** `#rgb` or `#rrggbb` as 0–255 channels; anything else (rgb(), names) is refused. */
export function parseHex(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) throw new Error(`not a hex colour: ${color}`);
  const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** Relative luminance (WCAG 2.x definition). */
export function luminance(color: string): number {
  const [r, g, b] = parseHex(color).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
