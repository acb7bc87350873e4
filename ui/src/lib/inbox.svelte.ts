import { api, errorText, Unauthorized } from './api';
import { app, announce, t } from './app.svelte';
import { appendPage, matchesFilters, remove, update, upsert } from './merge';
import { alertsQuery } from './query';
import { EMPTY_FILTERS, type Alert, type AlertPage, type Filters } from './types';

export const PAGE_SIZE = 100;

export const inbox = $state({
  items: [] as Alert[],
  total: 0,
  nextCursor: null as string | null,
  loading: false,
  loaded: false,
  error: '',
  filters: { ...EMPTY_FILTERS } as Filters,
  /** Index of the keyboard selection in `items` (-1: none). */
  selected: -1,
  /** The id of the most recently deleted alert (the details pane watches it). */
  lastDeletedId: '',
});

let generation = 0;

/** Refetch the first page for the current filters. */
export async function reload(): Promise<void> {
  const gen = ++generation;
  inbox.loading = true;
  inbox.error = '';
  try {
    const page = await api<AlertPage>(`/api/alerts${alertsQuery(inbox.filters, { limit: PAGE_SIZE })}`);
    if (gen !== generation) return;
    inbox.items = appendPage([], page.alerts);
    inbox.total = page.total;
    inbox.nextCursor = page.next_cursor;
    inbox.loaded = true;
    if (inbox.selected >= inbox.items.length) inbox.selected = inbox.items.length - 1;
  } catch (e) {
    if (gen === generation && !(e instanceof Unauthorized)) inbox.error = errorText(e);
  } finally {
    if (gen === generation) inbox.loading = false;
  }
}

/** Fetch the next page by cursor (no-op while loading or at the end). */
export async function loadMore(): Promise<void> {
  if (inbox.loading || !inbox.nextCursor) return;
  const gen = generation;
  inbox.loading = true;
  try {
    const page = await api<AlertPage>(
      `/api/alerts${alertsQuery(inbox.filters, { limit: PAGE_SIZE, cursor: inbox.nextCursor })}`,
    );
    if (gen !== generation) return;
    inbox.items = appendPage(inbox.items, page.alerts);
    inbox.total = page.total;
    inbox.nextCursor = page.next_cursor;
  } catch (e) {
    if (gen === generation && !(e instanceof Unauthorized)) inbox.error = errorText(e);
  } finally {
    if (gen === generation) inbox.loading = false;
  }
}

export function setFilters(next: Partial<Filters>): void {
  inbox.filters = { ...inbox.filters, ...next };
  inbox.selected = -1;
  void reload();
}

/** A new alert from the live stream. */
export function liveAlert(alert: Alert): void {
  announce(t('live.newAlert', { title: alert.title }));
  if (!inbox.loaded || !matchesFilters(alert, inbox.filters)) return;
  const had = inbox.items.some((a) => a.id === alert.id);
  const selectedId = inbox.items[inbox.selected]?.id;
  inbox.items = upsert(inbox.items, alert);
  if (!had) inbox.total += 1;
  if (selectedId) inbox.selected = inbox.items.findIndex((a) => a.id === selectedId);
}

/** An alert changed (read/done, seen again): replace it where shown. */
export function liveUpdated(alert: Alert): void {
  inbox.items = update(inbox.items, alert);
}

export function liveDeleted(id: string): void {
  const selectedId = inbox.items[inbox.selected]?.id;
  inbox.lastDeletedId = id;
  const before = inbox.items.length;
  inbox.items = remove(inbox.items, id);
  if (inbox.items.length < before) inbox.total = Math.max(0, inbox.total - 1);
  if (selectedId && selectedId !== id) inbox.selected = inbox.items.findIndex((a) => a.id === selectedId);
  else if (inbox.selected >= inbox.items.length) inbox.selected = inbox.items.length - 1;
}

/** Patch read/done and reflect the answer in the list. */
export async function patchAlert(id: string, body: { read?: boolean; done?: boolean }): Promise<Alert> {
  const alert = await api<Alert>(`/api/alerts/${encodeURIComponent(id)}`, { method: 'PATCH', body });
  liveUpdated(alert);
  return alert;
}

export async function deleteAlert(id: string): Promise<void> {
  await api<void>(`/api/alerts/${encodeURIComponent(id)}`, { method: 'DELETE' });
  liveDeleted(id);
}

