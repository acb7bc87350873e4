import { describe, expect, it } from 'vitest';
import { parseRoute, safeHref, takeToken } from '../src/lib/fragment';

describe('takeToken', () => {
  it('takes the token and keeps any other route', () => {
    expect(takeToken('#token=abc')).toEqual({ token: 'abc', rest: '' });
    expect(takeToken('#/alerts/01H&token=abc')).toEqual({ token: 'abc', rest: '/alerts/01H' });
    expect(takeToken('#/sources?token=a%2Bb')).toEqual({ token: 'a+b', rest: '/sources' });
    expect(takeToken('#token=abc&/settings')).toEqual({ token: 'abc', rest: '/settings' });
    expect(takeToken('#/alerts/1')).toEqual({ token: null, rest: '/alerts/1' });
    expect(takeToken('')).toEqual({ token: null, rest: '' });
  });
});

describe('parseRoute', () => {
  it('knows every screen', () => {
    expect(parseRoute('')).toEqual({ name: 'inbox', alertId: null });
    expect(parseRoute('#/')).toEqual({ name: 'inbox', alertId: null });
    expect(parseRoute('#/alerts/01HXYZ')).toEqual({ name: 'inbox', alertId: '01HXYZ' });
    expect(parseRoute('#/sources')).toEqual({ name: 'sources' });
    expect(parseRoute('#/quarantine')).toEqual({ name: 'quarantine' });
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'inbox', alertId: null });
  });
});

describe('safeHref', () => {
  it('allows only http and https', () => {
    expect(safeHref('https://example.com/x')).toBe('https://example.com/x');
    expect(safeHref('HTTP://example.com')).toBe('HTTP://example.com');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,hi')).toBeNull();
    expect(safeHref('//evil.example')).toBeNull();
    expect(safeHref(42)).toBeNull();
  });
});

describe('inbox filters in the fragment', () => {
  it('reads source, severity and status from a notification summary link', () => {
    expect(parseRoute('#/?source=cyscale&status=unread')).toEqual({
      name: 'inbox',
      alertId: null,
      filters: { source: 'cyscale', status: 'unread' },
    });
    expect(parseRoute('#/?severity=high')).toEqual({ name: 'inbox', alertId: null, filters: { severity: 'high' } });
  });

  it('ignores unknown values and keeps the token apart', () => {
    expect(parseRoute('#/?severity=urgent&status=later')).toEqual({ name: 'inbox', alertId: null });
    const { token, rest } = takeToken('#/?source=test&status=unread&token=abc');
    expect(token).toBe('abc');
    expect(parseRoute(rest)).toEqual({ name: 'inbox', alertId: null, filters: { source: 'test', status: 'unread' } });
  });
});
