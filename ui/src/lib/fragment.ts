import type { Severity, Status } from './types';

/**
 * Split the URL fragment into the token (if any) and the rest of it, the route.
 * Accepts `#token=T`, `#/route&token=T`, `#/route?token=T` and `#token=T&/route`.
 */
export function takeToken(hash: string): { token: string | null; rest: string } {
  const frag = hash.startsWith('#') ? hash.slice(1) : hash;
  const m = /(^|[?&])token=([^&]*)/.exec(frag);
  if (!m) return { token: null, rest: frag };
  let token: string | null;
  try {
    token = decodeURIComponent(m[2] ?? '');
  } catch {
    token = m[2] ?? '';
  }
  const before = frag.slice(0, m.index);
  let after = frag.slice(m.index + m[0].length);
  if (after.startsWith('&')) after = after.slice(1);
  let rest = before;
  if (after) rest = before ? `${before}${m[1] || '&'}${after}` : after;
  rest = rest.replace(/[?&]$/, '');
  return { token: token || null, rest };
}

/** Inbox filters a link may set, as in `#/?source=cyscale&status=unread` (notification summaries). */
export interface RouteFilters {
  source?: string;
  severity?: Severity;
  status?: Status;
}

export type Route =
  | { name: 'inbox'; alertId: string | null; filters?: RouteFilters }
  | { name: 'sources' }
  | { name: 'quarantine' }
  | { name: 'settings' };

export function parseRoute(hash: string): Route {
  const frag = (hash.startsWith('#') ? hash.slice(1) : hash).split('?')[0] ?? '';
  const parts = frag.split('/').filter(Boolean);
  if (parts[0] === 'sources') return { name: 'sources' };
  if (parts[0] === 'quarantine') return { name: 'quarantine' };
  if (parts[0] === 'settings') return { name: 'settings' };
  if (parts[0] === 'alerts' && parts[1]) return { name: 'inbox', alertId: decodeURIComponent(parts[1]) };
  const filters = routeFilters(hash);
  return filters ? { name: 'inbox', alertId: null, filters } : { name: 'inbox', alertId: null };
}

const SEVERITIES: readonly string[] = ['info', 'low', 'medium', 'high', 'critical'];
const STATUSES: readonly string[] = ['unread', 'read', 'done'];

/** The inbox filters in the fragment's query, if any; unknown values are ignored. */
function routeFilters(hash: string): RouteFilters | null {
  const frag = hash.startsWith('#') ? hash.slice(1) : hash;
  const at = frag.indexOf('?');
  if (at === -1) return null;
  const params = new URLSearchParams(frag.slice(at + 1));
  const filters: RouteFilters = {};
  const source = params.get('source');
  if (source) filters.source = source;
  const severity = params.get('severity');
  if (severity && SEVERITIES.includes(severity)) filters.severity = severity as Severity;
  const status = params.get('status');
  if (status && STATUSES.includes(status)) filters.status = status as Status;
  return Object.keys(filters).length ? filters : null;
}

/** A link target: only http(s) URLs are ever made clickable. */
export function safeHref(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  return /^https?:\/\//i.test(url.trim()) ? url.trim() : null;
}
