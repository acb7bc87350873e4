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

export type Route =
  | { name: 'inbox'; alertId: string | null }
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
  return { name: 'inbox', alertId: null };
}

/** A link target: only http(s) URLs are ever made clickable. */
export function safeHref(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  return /^https?:\/\//i.test(url.trim()) ? url.trim() : null;
}
