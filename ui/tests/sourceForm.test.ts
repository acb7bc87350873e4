import { describe, expect, it } from 'vitest';
import { SOURCE_ID_PATTERN, authFromForm, emptyForm, formFromSource, inputFromForm, unguessableId, validateForm } from '../src/lib/sourceForm';

describe('source form', () => {
  it('sends only the chosen scheme’s fields', () => {
    const f = { ...emptyForm(), provider: 'generic' as const, id: 'acme', name: ' Acme ', scheme: 'bearer' as const, token: 't0k', password: 'x' };
    expect(inputFromForm(f)).toEqual({ provider: 'generic', name: 'Acme', auth: { scheme: 'bearer', token: 't0k' } });
  });

  it('fills hmac defaults', () => {
    const f = { ...emptyForm(), provider: 'generic' as const, scheme: 'hmac-sha256' as const, secret: 's', signatureHeader: '', timestampHeader: ' ', toleranceSecs: '' };
    expect(authFromForm(f)).toEqual({
      scheme: 'hmac-sha256', secret: 's', signature_header: 'X-Signature', timestamp_header: 'X-Timestamp', tolerance_secs: 300,
    });
  });

  it('round-trips a revealed source', () => {
    const src = { id: 'h', provider: 'osintly', name: 'H', auth: { scheme: 'hmac-sha256', secret: 'abc', signature_header: 'X-S', timestamp_header: 'X-T', tolerance_secs: 60 } };
    expect(inputFromForm(formFromSource(src))).toEqual({ provider: 'osintly', name: 'H', auth: src.auth });
    const sw = { id: 's', provider: 'generic', name: 'S', auth: { scheme: 'standard-webhooks', secret: 'whsec_AA==', tolerance_secs: 42 } };
    expect(inputFromForm(formFromSource(sw)).auth).toEqual(sw.auth);
  });

  it('keeps a gitguardian source a gitguardian source when edited', () => {
    const gg = { id: 'gg', provider: 'gitguardian', name: 'GG', auth: { scheme: 'gitguardian', secret: 'tok', tolerance_secs: 30 } };
    const f = formFromSource(gg);
    expect(f.scheme).toBe('gitguardian');
    expect(inputFromForm(f)).toEqual({ provider: 'gitguardian', name: 'GG', auth: gg.auth });
    const canary = { id: 'c', provider: 'canarytokens', name: 'C', auth: { scheme: 'none' } };
    expect(inputFromForm(formFromSource(canary)).provider).toBe('canarytokens');
    expect(authFromForm({ ...f, toleranceSecs: '' })).toEqual({ scheme: 'gitguardian', secret: 'tok', tolerance_secs: 300 });
    expect(validateForm({ ...f, toleranceSecs: 'soon' }, false)).toBe('tolerance');
  });

  it('checks ids and tolerance', () => {
    expect(validateForm({ ...emptyForm(), id: 'acme-1_x' }, true)).toBe('provider');
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: 'acme-1_x' }, true)).toBeNull();
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: '-acme' }, true)).toBe('id');
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: 'Acme' }, true)).toBe('id');
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: 'a'.repeat(65) }, true)).toBe('id');
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: '' }, false)).toBeNull();
    expect(validateForm({ ...emptyForm(), provider: 'generic' as const, id: 'a', scheme: 'hmac-sha256', toleranceSecs: '-1' }, true)).toBe('tolerance');
  });

  it('makes unguessable source ids that are valid ids', () => {
    const a = unguessableId('canary-');
    const b = unguessableId('canary-');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^canary-[a-z2-7]{32}$/);
    expect(SOURCE_ID_PATTERN.test(a)).toBe(true);
    // 160 bits: 20 bytes from the CSPRNG, 5 bits a character (providers.ts's randomToken).
    const asked: number[] = [];
    const fill = (byte: number) => (n: number) => (asked.push(n), new Uint8Array(n).fill(byte));
    expect(unguessableId('x-', fill(0))).toBe(`x-${'a'.repeat(32)}`);
    expect(unguessableId('x-', fill(255))).toBe(`x-${'7'.repeat(32)}`);
    expect(unguessableId('x-', fill(33))).toBe(`x-${'eeqscijb'.repeat(4)}`);
    expect(asked).toEqual([20, 20, 20]);
  });
});
