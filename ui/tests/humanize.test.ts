import { describe, expect, it } from 'vitest';
import { cellText, detailSections, humanizeKey, viewValue } from '../src/lib/humanize';

describe('humanizeKey', () => {
  it('turns snake_case into a sentence-case label', () => {
    expect(humanizeKey('cloud_account')).toBe('Cloud account');
    expect(humanizeKey('ip_address')).toBe('IP address');
    expect(humanizeKey('breach_id')).toBe('Breach ID');
    expect(humanizeKey('firstSeen')).toBe('First seen');
    expect(humanizeKey('result')).toBe('Result');
  });

  it('has German labels for common names and falls back otherwise', () => {
    expect(humanizeKey('cloud_account', 'de')).toBe('Cloud-Konto');
    expect(humanizeKey('policies', 'de')).toBe('Richtlinien');
    expect(humanizeKey('zorg_level', 'de')).toBe('Zorg level');
  });
});

describe('detailSections', () => {
  it('renders each kind of section generically', () => {
    const sections = detailSections({
      cloud_account: { account_id: '123', is_root: true, regions: ['eu-west-1', 'us-east-1'], owner: { team: 'x' } },
      policies: [{ name: 'P1', severity: 'high' }, { name: 'P2', enabled: false }],
      result: 'free text',
      payload: [1, [2]],
    });
    expect(sections.map((s) => s.key)).toEqual(['cloud_account', 'policies', 'result', 'payload']);
    const [account, policies, result, payload] = sections;
    expect(account!.view).toEqual({
      kind: 'fields',
      fields: [
        { key: 'account_id', value: { kind: 'scalar', value: '123' } },
        { key: 'is_root', value: { kind: 'scalar', value: true } },
        { key: 'regions', value: { kind: 'list', text: 'eu-west-1, us-east-1' } },
        { key: 'owner', value: { kind: 'json', text: '{\n  "team": "x"\n}' } },
      ],
    });
    expect(policies!.view).toEqual({
      kind: 'table',
      columns: ['name', 'severity', 'enabled'],
      rows: [
        ['P1', 'high', undefined],
        ['P2', undefined, false],
      ],
    });
    expect(result!.view).toEqual({ kind: 'list', text: 'free text' });
    expect(payload!.view.kind).toBe('json');
  });

  it('ignores details that are not an object', () => {
    expect(detailSections(null)).toEqual([]);
    expect(detailSections([1, 2])).toEqual([]);
  });

  it('formats values and cells', () => {
    expect(viewValue([])).toEqual({ kind: 'list', text: '' });
    expect(viewValue(null)).toEqual({ kind: 'scalar', value: null });
    expect(cellText(undefined)).toBe('—');
    expect(cellText(['a', 'b'])).toBe('a, b');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });
});
