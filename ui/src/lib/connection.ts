/**
 * Whether a source has proved its connection, and a refusal's reason in words a user can act
 * on. Pure, so ui/tests/connection.test.ts checks them; the refusal never carries a secret (the
 * engine records headers' names and what did not match, never values).
 */

import type { MessageKey } from './i18n';
import type { Refusal, Source } from './types';

export type Connection = 'waiting' | 'connected' | 'refused';

/** `refused` when the newest thing that happened was a refusal. */
export function connectionState(activity: Source['activity']): Connection {
  const delivered = activity.last_delivery ? Date.parse(activity.last_delivery.at) : null;
  const refused = activity.last_refusal ? Date.parse(activity.last_refusal.at) : null;
  if (refused !== null && (delivered === null || refused > delivered)) return 'refused';
  return delivered === null ? 'waiting' : 'connected';
}

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** What did not match, exactly as the engine names it (`AuthError::Mismatch` in
 * crates/hookbell-core/src/auth.rs); anything else shows the engine's own sentence. */
const MISMATCH_TEXT: Readonly<Record<string, MessageKey>> = {
  'user name and password': 'refusal.credentials',
  'bearer token': 'refusal.token',
  'header value': 'refusal.headerValue',
  signature: 'refusal.signature',
  signatures: 'refusal.signature',
};

/** The refusal's reason as the user should read it. */
export function refusalText(r: Refusal, t: Translate): string {
  switch (r.kind) {
    case 'mismatch': {
      const key = r.what !== undefined && Object.hasOwn(MISMATCH_TEXT, r.what) ? MISMATCH_TEXT[r.what] : undefined;
      return key ? t(key) : r.reason;
    }
    case 'missing':
      return t('refusal.missing', { header: r.header ?? '?' });
    case 'malformed':
      return t('refusal.malformed', { header: r.header ?? '?' });
    case 'stale':
      return t('refusal.stale', {
        // The engine's distance is signed: negative when the timestamp is in the future.
        minutes: Math.max(1, Math.round(Math.abs(r.distance_secs ?? 0) / 60)),
        tolerance: r.tolerance_secs ?? 0,
      });
    case 'bad_secret':
      return t('refusal.badSecret');
    default:
      return r.reason;
  }
}
