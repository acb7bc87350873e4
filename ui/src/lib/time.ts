import type { Lang } from './types';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "3 min ago" / "vor 3 Min.": short, calm relative times; older than 30 days → a date. */
export function relativeTime(iso: string | null | undefined, now: number, lang: Lang): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const diff = Math.max(0, now - then);
  const de = lang === 'de';
  if (diff < MIN) return de ? 'gerade eben' : 'just now';
  if (diff < HOUR) {
    const n = Math.floor(diff / MIN);
    return de ? `vor ${n} Min.` : `${n} min ago`;
  }
  if (diff < DAY) {
    const n = Math.floor(diff / HOUR);
    return de ? `vor ${n} Std.` : `${n} h ago`;
  }
  const days = Math.floor(diff / DAY);
  if (days === 1) return de ? 'gestern' : 'yesterday';
  if (days < 30) return de ? `vor ${days} Tagen` : `${days} days ago`;
  return new Intl.DateTimeFormat(de ? 'de-DE' : 'en-GB', { dateStyle: 'medium' }).format(then);
}

/** A full local date and time (to the second, or with `short` to the minute). */
export function absoluteTime(iso: string | null | undefined, lang: Lang, time: 'medium' | 'short' = 'medium'): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: time,
  }).format(then);
}

export function formatBytes(n: number, lang: Lang): string {
  const fmt = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 });
  if (n < 1024) return `${fmt.format(n)} B`;
  if (n < 1024 * 1024) return `${fmt.format(n / 1024)} KiB`;
  return `${fmt.format(n / 1024 / 1024)} MiB`;
}
