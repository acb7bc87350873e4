import { describe, expect, it } from 'vitest';
import { connectionState, refusalText } from '../src/lib/connection';
import { translate, type MessageKey } from '../src/lib/i18n';
import type { Refusal, Source } from '../src/lib/types';

const t = (key: MessageKey, params?: Record<string, string | number>) => translate('en', key, params);
const AT = '2025-01-01T12:00:00Z';
const LATER = '2025-01-01T12:05:00Z';
const refusal = (r: Partial<Refusal>): Refusal => ({ at: AT, kind: 'mismatch', reason: 'the engine’s sentence', ...r });
const activity = (delivered: string | null, refused: Refusal | null): Source['activity'] => ({
  last_delivery: delivered === null ? null : { delivery_id: 'd1', at: delivered, status: 'stored' },
  auth_failures: refused === null ? 0 : 1,
  last_refusal: refused,
});

describe('connectionState', () => {
  it('waits until something arrives, then follows the newest event', () => {
    expect(connectionState(activity(null, null))).toBe('waiting');
    expect(connectionState(activity(AT, null))).toBe('connected');
    expect(connectionState(activity(null, refusal({})))).toBe('refused');
    expect(connectionState(activity(LATER, refusal({})))).toBe('connected');
    expect(connectionState(activity(AT, refusal({ at: LATER })))).toBe('refused');
  });
});

describe('refusalText', () => {
  it('names each mismatch the engine reports (crates/hookbell-core/src/auth.rs)', () => {
    const cases: [what: string, key: MessageKey][] = [
      ['user name and password', 'refusal.credentials'],
      ['bearer token', 'refusal.token'],
      ['header value', 'refusal.headerValue'],
      ['signature', 'refusal.signature'],
      ['signatures', 'refusal.signature'],
    ];
    for (const [what, key] of cases) expect(refusalText(refusal({ what }), t), what).toBe(t(key));
  });

  it('falls back to the engine’s sentence for a mismatch it does not know', () => {
    for (const what of ['client certificate', 'header', 'signature digest', 'constructor', 'toString', '']) {
      expect(refusalText(refusal({ what }), t), what).toBe('the engine’s sentence');
    }
    expect(refusalText(refusal({}), t)).toBe('the engine’s sentence');
    expect(refusalText(refusal({ kind: 'something new' }), t)).toBe('the engine’s sentence');
  });

  it('says how far off a stale timestamp is, in the past or the future', () => {
    const stale = (distance_secs: number) => refusalText(refusal({ kind: 'stale', distance_secs, tolerance_secs: 300 }), t);
    expect(stale(600)).toBe(t('refusal.stale', { minutes: 10, tolerance: 300 }));
    expect(stale(-600)).toBe(t('refusal.stale', { minutes: 10, tolerance: 300 }));
    expect(stale(-7200)).toContain('120 min off');
    expect(stale(-20)).toContain('1 min off');
  });

  it('names the header that is missing or unreadable', () => {
    expect(refusalText(refusal({ kind: 'missing', header: 'Authorization' }), t)).toContain('Authorization header is missing');
    expect(refusalText(refusal({ kind: 'malformed', header: 'X-Signature' }), t)).toContain('X-Signature header cannot be read');
    expect(refusalText(refusal({ kind: 'bad_secret' }), t)).toBe(t('refusal.badSecret'));
  });
});
