/**
 * The Settings screen's logic, kept out of the components: reading `/api/settings` defensively,
 * the retention choices, quiet-hours times, and the smallest PATCH that carries a form's edits.
 */
import { SEVERITIES, type Lang, type NotificationSettings, type QuietHours, type Settings, type Severity, type Source } from './types';

export const DEFAULT_NOTIFICATIONS: NotificationSettings = {
  enabled: true,
  min_severity: 'info',
  quiet_hours: { enabled: false, start: '22:00', end: '07:00' },
  muted_sources: [],
  paused_until: null,
};

/** The retention periods offered, in days; null keeps alerts forever. */
export const RETENTION_CHOICES: readonly (number | null)[] = [null, 30, 90, 180, 365];

/** Bounds the engine accepts for `retention_days`. */
export const RETENTION_MIN = 1;
export const RETENTION_MAX = 3650;

/** A local wall-clock time as `<input type="time">` gives it and the engine takes it. */
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'de';
}

function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}

function time(v: unknown, fallback: string): string {
  return typeof v === 'string' && TIME_PATTERN.test(v) ? v : fallback;
}

/** Settings from the engine's answer; members it does not send (an older hookbelld) get defaults. */
export function parseSettings(raw: unknown): Settings {
  const o = record(raw);
  const n = record(o['notifications']);
  const q = record(n['quiet_hours']);
  const d = DEFAULT_NOTIFICATIONS;
  const effective = isLang(o['effective_language']) ? o['effective_language'] : 'en';
  const retention = o['retention_days'];
  return {
    language: isLang(o['language']) ? o['language'] : null,
    effective_language: effective,
    notifications: {
      enabled: typeof n['enabled'] === 'boolean' ? n['enabled'] : d.enabled,
      min_severity: isSeverity(n['min_severity']) ? n['min_severity'] : d.min_severity,
      quiet_hours: {
        enabled: typeof q['enabled'] === 'boolean' ? q['enabled'] : d.quiet_hours.enabled,
        start: time(q['start'], d.quiet_hours.start),
        end: time(q['end'], d.quiet_hours.end),
      },
      muted_sources: Array.isArray(n['muted_sources'])
        ? (n['muted_sources'] as unknown[]).filter((s): s is string => typeof s === 'string')
        : [],
      paused_until: typeof n['paused_until'] === 'string' ? n['paused_until'] : null,
    },
    retention_days: typeof retention === 'number' && Number.isInteger(retention) ? retention : null,
  };
}

/** The editable part of the notification settings (the pause belongs to the tray and its Resume). */
export type NotificationDraft = Omit<NotificationSettings, 'paused_until'>;

export function draftFrom(n: NotificationSettings): NotificationDraft {
  return {
    enabled: n.enabled,
    min_severity: n.min_severity,
    quiet_hours: { ...n.quiet_hours },
    muted_sources: [...n.muted_sources],
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function sameQuiet(a: QuietHours, b: QuietHours): boolean {
  return a.enabled === b.enabled && a.start === b.start && a.end === b.end;
}

/**
 * The members of `draft` that differ from `saved`, or null when nothing changed. Quiet hours go
 * whole when any part changed; `paused_until` is never sent, so saving the form cannot undo a
 * pause set from the tray in the meantime.
 */
export function notificationsPatch(
  saved: NotificationSettings,
  draft: NotificationDraft,
): Partial<NotificationSettings> | null {
  const patch: Partial<NotificationSettings> = {};
  if (draft.enabled !== saved.enabled) patch.enabled = draft.enabled;
  if (draft.min_severity !== saved.min_severity) patch.min_severity = draft.min_severity;
  if (!sameQuiet(draft.quiet_hours, saved.quiet_hours)) patch.quiet_hours = { ...draft.quiet_hours };
  if (!sameSet(draft.muted_sources, saved.muted_sources)) patch.muted_sources = [...draft.muted_sources];
  return Object.keys(patch).length > 0 ? patch : null;
}

/** Which quiet-hours time is not "HH:MM", if any (checked before sending). */
export function invalidQuietTime(q: QuietHours): 'start' | 'end' | null {
  if (!TIME_PATTERN.test(q.start)) return 'start';
  if (!TIME_PATTERN.test(q.end)) return 'end';
  return null;
}

/** Whether notifications are paused at `now` (a pause that has run out no longer counts). */
export function pausedUntil(n: NotificationSettings, now: number): string | null {
  if (!n.paused_until) return null;
  const until = Date.parse(n.paused_until);
  return Number.isNaN(until) || until <= now ? null : n.paused_until;
}

/** The retention select's options: the standard ones, plus the current value when it is another. */
export function retentionChoices(current: number | null): (number | null)[] {
  const choices = [...RETENTION_CHOICES];
  if (current !== null && !choices.includes(current)) {
    choices.push(current);
    choices.sort((a, b) => (a ?? 0) - (b ?? 0));
  }
  return choices;
}

/** A select's value for a retention (`""` is forever) and back. */
export function retentionValue(days: number | null): string {
  return days === null ? '' : String(days);
}

export function retentionFromValue(value: string): number | null {
  if (value === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= RETENTION_MIN && n <= RETENTION_MAX ? n : null;
}

/** Whether going from `from` to `to` may delete alerts that are kept now. */
export function retentionShortens(from: number | null, to: number | null): boolean {
  return to !== null && (from === null || to < from);
}

export interface SourceChoice {
  id: string;
  name: string;
  /** False for a muted id no configured source has any more (it can still be unmuted). */
  configured: boolean;
}

/** The sources to offer for muting: every configured one, then muted ids that are gone. */
export function sourceChoices(sources: readonly Source[], muted: readonly string[]): SourceChoice[] {
  const choices: SourceChoice[] = sources.map((s) => ({ id: s.id, name: s.name || s.id, configured: true }));
  const known = new Set(sources.map((s) => s.id));
  for (const id of muted) {
    if (!known.has(id)) {
      known.add(id);
      choices.push({ id, name: id, configured: false });
    }
  }
  return choices;
}
