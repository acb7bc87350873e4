import { describe, expect, it } from 'vitest';
import { appendPage, findNear, matchesFilters, remove, update, upsert, withArrivals } from '../src/lib/merge';
import { EMPTY_FILTERS, type Alert } from '../src/lib/types';

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    source: 'hibp',
    provider: 'hibp',
    external_id: `x-${id}`,
    severity: 'medium',
    title: `Alert ${id}`,
    summary: '',
    description: '',
    recommendation: '',
    subject: 'me@example.com',
    category: 'breach',
    occurred_at: null,
    received_at: '2024-05-10T12:00:00Z',
    last_seen_at: '2024-05-10T12:00:00Z',
    seen_count: 1,
    read: false,
    done: false,
    unrecognized: false,
    masked_values: [],
    links: [],
    delivery_id: 'd',
    details: {},
    ...over,
  };
}

const ids = (list: Alert[]) => list.map((a) => a.id);

describe('list merge', () => {
  const base = [alert('03'), alert('02'), alert('01')];

  it('prepends a new alert', () => {
    expect(ids(upsert(base, alert('04')))).toEqual(['04', '03', '02', '01']);
  });

  it('keeps newest-first order for an out-of-order arrival', () => {
    expect(ids(upsert([alert('05'), alert('03'), alert('01')], alert('02')))).toEqual(['05', '03', '02', '01']);
    expect(ids(upsert([], alert('01')))).toEqual(['01']);
  });

  it('dedupes by id: a repeated alert replaces the old copy in place', () => {
    const next = upsert(base, alert('02', { seen_count: 3 }));
    expect(ids(next)).toEqual(['03', '02', '01']);
    expect(next[1]!.seen_count).toBe(3);
  });

  it('updates a known alert and ignores unknown ones', () => {
    const next = update(base, alert('01', { read: true }));
    expect(next[2]!.read).toBe(true);
    expect(update(base, alert('99'))).toBe(base);
  });

  it('removes by id', () => {
    expect(ids(remove(base, '02'))).toEqual(['03', '01']);
    expect(remove(base, '99')).toBe(base);
  });

  it('appends pages without duplicates and keeps the order', () => {
    const live = upsert(base, alert('04'));
    expect(ids(appendPage(live, [alert('01'), alert('00')]))).toEqual(['04', '03', '02', '01', '00']);
    expect(ids(appendPage([], [alert('02'), alert('03'), alert('02')]))).toEqual(['03', '02']);
  });

  it('never mutates its input', () => {
    const copy = ids(base);
    upsert(base, alert('09'));
    update(base, alert('01', { done: true }));
    remove(base, '03');
    appendPage(base, [alert('00')]);
    expect(ids(base)).toEqual(copy);
    expect(base[2]!.done).toBe(false);
  });
});

describe('matchesFilters', () => {
  it('applies source, minimum severity, status and search like the server', () => {
    const a = alert('01', { severity: 'high', title: 'Password found', read: true });
    expect(matchesFilters(a, EMPTY_FILTERS)).toBe(true);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, source: 'other' })).toBe(false);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, severity: 'high' })).toBe(true);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, severity: 'critical' })).toBe(false);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, status: 'read' })).toBe(true);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, status: 'unread' })).toBe(false);
    expect(matchesFilters({ ...a, done: true }, { ...EMPTY_FILTERS, status: 'done' })).toBe(true);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, q: 'PASSWORD' })).toBe(true);
    expect(matchesFilters(a, { ...EMPTY_FILTERS, q: 'nothing' })).toBe(false);
  });
});

describe('findNear', () => {
  const list = ['f', 'e', 'd', 'c', 'b', 'a'].map((id) => ({ id }) as Alert);
  it('finds an id wherever it is, starting at the hint', () => {
    for (let hint = -2; hint < 9; hint++) {
      for (const [i, a] of list.entries()) expect(findNear(list, a.id, hint)).toBe(i);
    }
  });
  it('answers -1 for an id not there, and on an empty list', () => {
    expect(findNear(list, 'x', 3)).toBe(-1);
    expect(findNear([], 'a', 0)).toBe(-1);
  });
});

describe('withArrivals', () => {
  const page = [alert('05'), alert('03'), alert('01')];
  it('adds live alerts the page was read too early to hold, and counts them', () => {
    const { items, added } = withArrivals(page, [alert('07'), alert('06')], EMPTY_FILTERS);
    expect(items.map((a) => a.id)).toEqual(['07', '06', '05', '03', '01']);
    expect(added).toBe(2);
  });
  it('keeps the page’s copy of an alert it already holds', () => {
    const fresh = alert('05', { read: true });
    const { items, added } = withArrivals([fresh, ...page.slice(1)], [alert('05')], EMPTY_FILTERS);
    expect(items.map((a) => a.id)).toEqual(['05', '03', '01']);
    expect(items[0]!.read).toBe(true);
    expect(added).toBe(0);
  });
  it('skips what the filters hide', () => {
    const { items, added } = withArrivals(page, [alert('09', { severity: 'info' })], { ...EMPTY_FILTERS, severity: 'high' });
    expect(items.map((a) => a.id)).toEqual(['05', '03', '01']);
    expect(added).toBe(0);
  });
});
