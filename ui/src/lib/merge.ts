import { SEVERITIES, type Alert, type Filters, type Severity } from './types';

/**
 * Pure list operations for the inbox. The list is always newest first; alert ids are
 * ULIDs, which sort by the time an alert was first received, so "newest first" is
 * "id descending". Every operation returns a new array and never holds an id twice.
 */

export function newerFirst(a: Alert, b: Alert): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Insert (or replace) `alert`, keeping newest-first order. */
export function upsert(list: readonly Alert[], alert: Alert): Alert[] {
  const at = list.findIndex((a) => a.id === alert.id);
  if (at !== -1) {
    const next = list.slice();
    next[at] = alert;
    return next;
  }
  // New alerts are nearly always the newest: check the top first.
  let pos = 0;
  while (pos < list.length && newerFirst(list[pos]!, alert) < 0) pos++;
  const next = list.slice();
  next.splice(pos, 0, alert);
  return next;
}

/** Replace an alert already in the list; unknown ids leave it unchanged. */
export function update(list: readonly Alert[], alert: Alert): Alert[] {
  const at = list.findIndex((a) => a.id === alert.id);
  if (at === -1) return list as Alert[];
  const next = list.slice();
  next[at] = alert;
  return next;
}

/**
 * The index of `id` in `list`, searching outward from `hint` (where it was last seen): an alert
 * moves only by the few rows added or removed around it, so this is quick on long lists.
 */
export function findNear(list: readonly Alert[], id: string, hint: number): number {
  const start = Math.max(0, Math.min(list.length - 1, hint));
  for (let d = 0; d < list.length; d++) {
    const after = start + d;
    const before = start - d;
    if (after >= list.length && before < 0) break;
    if (after < list.length && list[after]!.id === id) return after;
    if (d > 0 && before >= 0 && list[before]!.id === id) return before;
  }
  return -1;
}

export function remove(list: readonly Alert[], id: string): Alert[] {
  const at = list.findIndex((a) => a.id === id);
  if (at === -1) return list as Alert[];
  const next = list.slice();
  next.splice(at, 1);
  return next;
}

/** Append a fetched page, skipping ids already present (live events may have added them). */
export function appendPage(list: readonly Alert[], page: readonly Alert[]): Alert[] {
  const seen = new Set(list.map((a) => a.id));
  const next = list.slice();
  let sorted = true;
  for (const a of page) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    const last = next[next.length - 1];
    if (last && newerFirst(last, a) > 0) sorted = false;
    next.push(a);
  }
  if (!sorted) next.sort(newerFirst);
  return next;
}

/**
 * A freshly fetched first page, plus the live alerts that arrived while it was asked for (the
 * engine may have read the page before they were stored). Returns the list and how many alerts
 * it holds that the page's total does not count.
 */
export function withArrivals(
  page: readonly Alert[],
  arrivals: readonly Alert[],
  filters: Filters,
): { items: Alert[]; added: number } {
  let items = appendPage([], page);
  let added = 0;
  for (const alert of arrivals) {
    if (!matchesFilters(alert, filters) || items.some((a) => a.id === alert.id)) continue;
    items = upsert(items, alert);
    added++;
  }
  return { items, added };
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Whether a live alert belongs in a list filtered by `filters` (mirrors the server). */
export function matchesFilters(alert: Alert, filters: Filters): boolean {
  if (filters.source && alert.source !== filters.source) return false;
  if (filters.severity && severityRank(alert.severity) < severityRank(filters.severity)) return false;
  if (filters.status) {
    const status = alert.done ? 'done' : alert.read ? 'read' : 'unread';
    if (status !== filters.status) return false;
  }
  const q = filters.q.trim().toLowerCase();
  if (q) {
    const text = [alert.title, alert.subject, alert.source, alert.category, alert.summary.slice(0, 160)]
      .join('\n')
      .toLowerCase();
    if (!text.includes(q)) return false;
  }
  return true;
}
