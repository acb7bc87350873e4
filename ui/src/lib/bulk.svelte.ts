import { errorText, Unauthorized } from './api';
import { announce, t } from './app.svelte';
import { deleteAlert, inbox, patchAlert } from './inbox.svelte';

/** How many requests a bulk action keeps in flight at once. */
const CONCURRENCY = 4;

export type BulkAction = 'read' | 'done' | 'delete';

/** Bulk selection in the inbox, by alert id (never by row index: rows are virtual). */
export const bulk = $state({
  ids: [] as string[],
  running: null as BulkAction | null,
  progress: 0,
  total: 0,
  failed: 0,
  error: '',
  confirmingDelete: false,
});

export function isChecked(id: string): boolean {
  return bulk.ids.includes(id);
}

export function toggle(id: string, on?: boolean): void {
  const has = bulk.ids.includes(id);
  const want = on ?? !has;
  if (want && !has) bulk.ids = [...bulk.ids, id];
  else if (!want && has) bulk.ids = bulk.ids.filter((x) => x !== id);
}

/** Select every loaded alert (or, with `on` false, unselect them). */
export function selectAllLoaded(on: boolean): void {
  const loaded = inbox.items.map((a) => a.id);
  if (on) bulk.ids = [...new Set([...bulk.ids, ...loaded])];
  else {
    const drop = new Set(loaded);
    bulk.ids = bulk.ids.filter((id) => !drop.has(id));
  }
}

export function clearSelection(): void {
  bulk.ids = [];
  bulk.confirmingDelete = false;
  bulk.error = '';
}

/** Forget ids that are no longer in the store (deleted elsewhere). */
export function forget(id: string): void {
  if (bulk.ids.includes(id)) bulk.ids = bulk.ids.filter((x) => x !== id);
}

/** Run `action` over the selected alerts with limited concurrency. Failed ids stay selected. */
export async function runBulk(action: BulkAction): Promise<void> {
  if (bulk.running || bulk.ids.length === 0) return;
  const ids = [...bulk.ids];
  bulk.running = action;
  bulk.confirmingDelete = false;
  bulk.progress = 0;
  bulk.total = ids.length;
  bulk.failed = 0;
  bulk.error = '';
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        if (action === 'delete') await deleteAlert(id);
        else await patchAlert(id, action === 'read' ? { read: true } : { done: true });
      } catch (e) {
        if (!(e instanceof Unauthorized)) {
          failed.push(id);
          bulk.failed = failed.length;
          bulk.error = errorText(e);
        }
      } finally {
        bulk.progress += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  } finally {
    bulk.running = null;
  }
  const keep = new Set(failed);
  // Drop the ids that worked; failed ones (and any selected meanwhile) stay selected.
  const ran = new Set(ids);
  bulk.ids = bulk.ids.filter((id) => keep.has(id) || !ran.has(id));
  if (failed.length === 0) {
    bulk.error = '';
    announce(t('bulk.finished', { n: ids.length }));
  } else {
    announce(t('bulk.failed', { n: failed.length, msg: bulk.error }));
  }
}
