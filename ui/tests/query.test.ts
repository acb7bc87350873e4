import { describe, expect, it } from 'vitest';
import { alertsQuery } from '../src/lib/query';
import { EMPTY_FILTERS } from '../src/lib/types';

describe('alertsQuery', () => {
  it('is empty without filters', () => {
    expect(alertsQuery(EMPTY_FILTERS)).toBe('');
  });

  it('sets only the filters in use, in a stable order, encoded', () => {
    expect(
      alertsQuery({ source: 'hibp', severity: 'high', status: 'unread', q: '  a&b c ' }, { limit: 100, cursor: '01HX' }),
    ).toBe('?source=hibp&severity=high&status=unread&q=a%26b+c&limit=100&cursor=01HX');
  });

  it('leaves out a blank search and a null cursor', () => {
    expect(alertsQuery({ ...EMPTY_FILTERS, q: '   ', status: 'done' }, { limit: 100, cursor: null })).toBe(
      '?status=done&limit=100',
    );
  });
});
