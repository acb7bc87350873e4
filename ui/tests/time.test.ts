import { describe, expect, it } from 'vitest';
import { formatBytes, relativeTime } from '../src/lib/time';

const now = Date.parse('2024-05-10T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
  it('speaks English', () => {
    expect(relativeTime(ago(10_000), now, 'en')).toBe('just now');
    expect(relativeTime(ago(3 * MIN), now, 'en')).toBe('3 min ago');
    expect(relativeTime(ago(59 * MIN), now, 'en')).toBe('59 min ago');
    expect(relativeTime(ago(2 * HOUR + 5 * MIN), now, 'en')).toBe('2 h ago');
    expect(relativeTime(ago(DAY + HOUR), now, 'en')).toBe('yesterday');
    expect(relativeTime(ago(5 * DAY), now, 'en')).toBe('5 days ago');
  });

  it('speaks German', () => {
    expect(relativeTime(ago(10_000), now, 'de')).toBe('gerade eben');
    expect(relativeTime(ago(3 * MIN), now, 'de')).toBe('vor 3 Min.');
    expect(relativeTime(ago(2 * HOUR), now, 'de')).toBe('vor 2 Std.');
    expect(relativeTime(ago(DAY), now, 'de')).toBe('gestern');
    expect(relativeTime(ago(5 * DAY), now, 'de')).toBe('vor 5 Tagen');
  });

  it('shows a date past 30 days, and copes with clock skew and bad input', () => {
    expect(relativeTime('2024-01-02T10:00:00Z', now, 'en')).toMatch(/2024/);
    expect(relativeTime('2024-01-02T10:00:00Z', now, 'de')).toMatch(/2024/);
    expect(relativeTime(new Date(now + 5 * MIN).toISOString(), now, 'en')).toBe('just now');
    expect(relativeTime(null, now, 'en')).toBe('—');
    expect(relativeTime('not a date', now, 'de')).toBe('—');
  });
});

describe('formatBytes', () => {
  it('uses binary units and the locale', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB');
    expect(formatBytes(1536, 'de')).toBe('1,5 KiB');
  });
});
