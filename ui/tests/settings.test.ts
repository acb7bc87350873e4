import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTIFICATIONS,
  draftFrom,
  invalidQuietTime,
  notificationsPatch,
  parseSettings,
  pausedUntil,
  retentionChoices,
  retentionFromValue,
  retentionShortens,
  retentionValue,
  sourceChoices,
} from '../src/lib/settings';
import type { NotificationSettings, Source } from '../src/lib/types';

/** The engine's answer, as documented for GET /api/settings. */
const ANSWER = {
  language: null,
  effective_language: 'en',
  notifications: {
    enabled: true,
    min_severity: 'info',
    quiet_hours: { enabled: false, start: '22:00', end: '07:00' },
    muted_sources: ['cyscale'],
    paused_until: null,
  },
  retention_days: null,
};

const saved: NotificationSettings = parseSettings(ANSWER).notifications;

function source(id: string, name = id): Source {
  return {
    id,
    provider: 'generic',
    name,
    auth_scheme: 'none',
    urls: { direct: `http://127.0.0.1:7787/hooks/${id}`, relay: null },
    activity: { last_delivery: null, auth_failures: 0 },
  };
}

describe('parseSettings', () => {
  it('reads the engine’s answer as is', () => {
    expect(parseSettings(ANSWER)).toEqual(ANSWER);
    const full = {
      language: 'de',
      effective_language: 'de',
      notifications: {
        enabled: false,
        min_severity: 'high',
        quiet_hours: { enabled: true, start: '23:30', end: '06:15' },
        muted_sources: ['a', 'b'],
        paused_until: '2026-11-22T08:00:00Z',
      },
      retention_days: 90,
    };
    expect(parseSettings(full)).toEqual(full);
  });

  it('fills defaults for what an older engine does not send', () => {
    expect(parseSettings({ language: 'de', effective_language: 'de' })).toEqual({
      language: 'de',
      effective_language: 'de',
      notifications: DEFAULT_NOTIFICATIONS,
      retention_days: null,
    });
  });

  it('drops values of the wrong kind', () => {
    const s = parseSettings({
      language: 'fr',
      effective_language: 42,
      notifications: { enabled: 'yes', min_severity: 'urgent', quiet_hours: { start: '25:00', end: 7 }, muted_sources: ['x', 3] },
      retention_days: 1.5,
    });
    expect(s.language).toBeNull();
    expect(s.effective_language).toBe('en');
    expect(s.notifications.enabled).toBe(true);
    expect(s.notifications.min_severity).toBe('info');
    expect(s.notifications.quiet_hours).toEqual({ enabled: false, start: '22:00', end: '07:00' });
    expect(s.notifications.muted_sources).toEqual(['x']);
    expect(s.retention_days).toBeNull();
    expect(parseSettings(null).notifications).toEqual(DEFAULT_NOTIFICATIONS);
  });
});

describe('notificationsPatch', () => {
  it('is null when nothing changed, muted order aside', () => {
    expect(notificationsPatch(saved, draftFrom(saved))).toBeNull();
    const two = { ...saved, muted_sources: ['a', 'b'] };
    expect(notificationsPatch(two, { ...draftFrom(two), muted_sources: ['b', 'a'] })).toBeNull();
  });

  it('sends only the changed members', () => {
    expect(notificationsPatch(saved, { ...draftFrom(saved), min_severity: 'high' })).toEqual({ min_severity: 'high' });
    expect(notificationsPatch(saved, { ...draftFrom(saved), enabled: false, muted_sources: [] })).toEqual({
      enabled: false,
      muted_sources: [],
    });
  });

  it('sends quiet hours whole when one part changed', () => {
    const draft = draftFrom(saved);
    draft.quiet_hours.end = '06:30';
    expect(notificationsPatch(saved, draft)).toEqual({ quiet_hours: { enabled: false, start: '22:00', end: '06:30' } });
  });

  it('never sends the pause, so saving cannot undo one set from the tray', () => {
    const paused = { ...saved, paused_until: '2030-01-01T00:00:00Z' };
    const patch = notificationsPatch(paused, { ...draftFrom(saved), min_severity: 'low' });
    expect(patch).toEqual({ min_severity: 'low' });
    expect(patch).not.toHaveProperty('paused_until');
  });

  it('copies, so editing the draft leaves the saved settings alone', () => {
    const draft = draftFrom(saved);
    draft.muted_sources.push('x');
    draft.quiet_hours.enabled = true;
    expect(saved.muted_sources).toEqual(['cyscale']);
    expect(saved.quiet_hours.enabled).toBe(false);
  });
});

describe('quiet hours and pause', () => {
  it('checks HH:MM times', () => {
    expect(invalidQuietTime({ enabled: true, start: '22:00', end: '07:00' })).toBeNull();
    expect(invalidQuietTime({ enabled: true, start: '00:00', end: '23:59' })).toBeNull();
    expect(invalidQuietTime({ enabled: true, start: '', end: '07:00' })).toBe('start');
    expect(invalidQuietTime({ enabled: true, start: '7:00', end: '07:00' })).toBe('start');
    expect(invalidQuietTime({ enabled: true, start: '22:00', end: '24:00' })).toBe('end');
    expect(invalidQuietTime({ enabled: true, start: '22:00', end: '07:00:00' })).toBe('end');
  });

  it('counts a pause only until it runs out', () => {
    const now = Date.parse('2026-11-22T06:00:00Z');
    expect(pausedUntil(saved, now)).toBeNull();
    expect(pausedUntil({ ...saved, paused_until: '2026-11-22T07:00:00Z' }, now)).toBe('2026-11-22T07:00:00Z');
    expect(pausedUntil({ ...saved, paused_until: '2026-11-22T05:00:00Z' }, now)).toBeNull();
    expect(pausedUntil({ ...saved, paused_until: 'soon' }, now)).toBeNull();
  });
});

describe('retention', () => {
  it('offers forever and the standard periods, plus a value set by hand', () => {
    expect(retentionChoices(null)).toEqual([null, 30, 90, 180, 365]);
    expect(retentionChoices(90)).toEqual([null, 30, 90, 180, 365]);
    expect(retentionChoices(45)).toEqual([null, 30, 45, 90, 180, 365]);
    expect(retentionChoices(3650)).toEqual([null, 30, 90, 180, 365, 3650]);
  });

  it('maps select values both ways', () => {
    for (const days of [null, 1, 30, 3650]) expect(retentionFromValue(retentionValue(days))).toBe(days);
    expect(retentionFromValue('0')).toBeNull();
    expect(retentionFromValue('3651')).toBeNull();
    expect(retentionFromValue('abc')).toBeNull();
  });

  it('warns only when a period gets shorter', () => {
    expect(retentionShortens(null, 30)).toBe(true);
    expect(retentionShortens(90, 30)).toBe(true);
    expect(retentionShortens(30, 90)).toBe(false);
    expect(retentionShortens(30, null)).toBe(false);
    expect(retentionShortens(30, 30)).toBe(false);
  });
});

describe('sourceChoices', () => {
  it('lists configured sources, then muted ids whose source is gone', () => {
    expect(sourceChoices([source('enzoic', 'Enzoic'), source('test', '')], ['gone', 'enzoic'])).toEqual([
      { id: 'enzoic', name: 'Enzoic', configured: true },
      { id: 'test', name: 'test', configured: true },
      { id: 'gone', name: 'gone', configured: false },
    ]);
    expect(sourceChoices([], [])).toEqual([]);
  });
});
