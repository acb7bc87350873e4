import type { Filters } from './types';

/** The query string (with leading `?`, or empty) for `GET /api/alerts`. */
export function alertsQuery(filters: Filters, opts: { limit?: number; cursor?: string | null } = {}): string {
  const params = new URLSearchParams();
  if (filters.source) params.set('source', filters.source);
  if (filters.severity) params.set('severity', filters.severity);
  if (filters.status) params.set('status', filters.status);
  const q = filters.q.trim();
  if (q) params.set('q', q);
  if (opts.limit !== undefined) params.set('limit', String(opts.limit));
  if (opts.cursor) params.set('cursor', opts.cursor);
  const s = params.toString();
  return s ? `?${s}` : '';
}
