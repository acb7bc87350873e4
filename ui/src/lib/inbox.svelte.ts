import { api, errorText, Unauthorized } from './api';
import { app, announce, t } from './app.svelte';
import { appendPage, matchesFilters, remove, update, upsert, withArrivals } from './merge';
import { alertsQuery } from './query';
import { EMPTY_FILTERS, type Alert, type AlertPage, type Filters } from './types';

export const PAGE_SIZE = 100;

/**
 * The inbox's list state. `items` and `filters` are raw state: they are only ever replaced
 * whole (the list operations in merge.ts return new arrays), so Svelte need not wrap thousands
 * of alerts in deep proxies; with 5,000 alerts loaded, proxied reads made each live insertion
 * cost tens of milliseconds.
 */
class InboxState {
  items = $state.raw<Alert[]>([]);
  total = $state(0);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  filters = $state.raw<Filters>({ ...EMPTY_FILTERS });
  /** Index of the keyboard selection in `items` (-1: none). */
  selected = $state(-1);
  /** The id of the most recently deleted alert (the details pane watches it). */
  lastDeletedId = $state('');
  /** The alert open in the details pane as last fetched or changed; it need not be among
   * `items` (opened by its address, or not yet announced by the live stream). */
  opened = $state.raw<Alert | null>(null);
}

export const inbox = new InboxState();

let generation = 0;
/** The first-page request in flight; a newer one (the next keystroke of a search) cancels it. */
let inflight: AbortController | null = null;
/** Live alerts that arrived while the first page was asked for: the page may predate them. */
let arrivals: Alert[] = [];

/** Refetch the first page for the current filters. */
export async function reload(): Promise<void> {
  const gen = ++generation;
  inflight?.abort();
  const controller = new AbortController();
  inflight = controller;
  arrivals = [];
  inbox.loading = true;
  inbox.error = '';
  try {
    const page = await api<AlertPage>(`/api/alerts${alertsQuery(inbox.filters, { limit: PAGE_SIZE })}`, {
      signal: controller.signal,
    });
    if (gen !== generation) return;
    const { items, added } = withArrivals(page.alerts, arrivals, inbox.filters);
    arrivals = [];
    inbox.items = items;
    inbox.total = page.total + added;
    inbox.nextCursor = page.next_cursor;
    inbox.loaded = true;
    if (inbox.selected >= inbox.items.length) inbox.selected = inbox.items.length - 1;
  } catch (e) {
    if (gen === generation && !(e instanceof Unauthorized)) inbox.error = errorText(e);
  } finally {
    if (gen === generation) inbox.loading = false;
    if (inflight === controller) inflight = null;
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
  if (inflight) arrivals.push(alert);
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
  if (inbox.opened?.id === alert.id) inbox.opened = alert;
}

export function liveDeleted(id: string): void {
  const selectedId = inbox.items[inbox.selected]?.id;
  inbox.lastDeletedId = id;
  if (inbox.opened?.id === id) inbox.opened = null;
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

