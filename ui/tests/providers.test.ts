import { describe, expect, it } from 'vitest';
import { ENGINE_PROVIDERS, PRESETS, PROVIDER_IDS, SCHEMES, STEPS, isLoopbackUrl, randomToken } from '../src/lib/providers';
import { SOURCE_ID_PATTERN, applyPreset, emptyForm, suggestId } from '../src/lib/sourceForm';
import { connectionState, refusalText } from '../src/lib/connection';
import { en, translate, type MessageKey } from '../src/lib/i18n';

describe('provider presets', () => {
  it('has a preset and steps in both languages for every provider the engine lists', () => {
    for (const { id, default_scheme } of ENGINE_PROVIDERS) {
      const preset = PRESETS[id];
      expect(preset, id).toBeDefined();
      expect(preset.scheme, id).toBe(default_scheme);
      expect((SCHEMES as readonly string[]).includes(preset.scheme)).toBe(true);
      expect(preset.name.length).toBeGreaterThan(0);
      for (const lang of ['en', 'de'] as const) {
        const steps = STEPS[id][lang];
        expect(steps.length, `${id} ${lang}`).toBeGreaterThanOrEqual(3);
        for (const step of steps) expect(step, 'plain text, never HTML').not.toMatch(/<[a-z/!]/i);
      }
    }
    expect(Object.keys(PRESETS).sort()).toEqual([...PROVIDER_IDS].sort());
  });

  it('fills what the issue names', () => {
    const taken = ['enzoic'];
    const pick = (p: (typeof PROVIDER_IDS)[number]) => applyPreset(emptyForm(), p, taken, { id: '', name: '' }).form;
    const enzoic = pick('enzoic');
    expect(enzoic.scheme).toBe('basic');
    expect(enzoic.id).toBe('enzoic-2');
    expect(PRESETS.enzoic.basicLabels).toEqual({ username: 'Webhook Key', password: 'Webhook Secret' });
    const osintly = pick('osintly');
    expect([osintly.scheme, osintly.signatureHeader, osintly.timestampHeader, osintly.toleranceSecs]).toEqual(['hmac-sha256', 'X-Signature', 'X-Timestamp', '300']);
    expect(osintly.secret.length).toBeGreaterThanOrEqual(32);
    expect(pick('github').scheme).toBe('github');
    expect(pick('gitguardian').scheme).toBe('gitguardian');
    expect(pick('generic').scheme).toBe('standard-webhooks');
    expect(pick('generic').secret).toBe('');
    for (const p of ['leakix', 'omniac', 'canarytokens'] as const) {
      const f = pick(p);
      expect(f.scheme).toBe('none');
      expect(f.id).toMatch(new RegExp(`^${p}-[a-z2-7]{32}$`));
      expect(SOURCE_ID_PATTERN.test(f.id)).toBe(true);
    }
    expect(suggestId('leakix', [])).not.toBe(suggestId('leakix', []));
  });

  it('keeps what the user typed and replaces only its own suggestions', () => {
    const typed = { ...emptyForm(), id: 'mine', name: 'My name' };
    const first = applyPreset(typed, 'leakix', [], { id: '', name: '' });
    expect([first.form.id, first.form.name]).toEqual(['mine', 'My name']);
    const a = applyPreset(emptyForm(), 'leakix', [], { id: '', name: '' });
    const b = applyPreset(a.form, 'github', [], a.suggested);
    expect([b.form.id, b.form.name, b.form.scheme]).toEqual(['github', PRESETS.github.name, 'github']);
  });

  it('makes random tokens from the CSPRNG', () => {
    expect(randomToken(16)).toMatch(/^[a-z2-7]{26}$/);
    expect(randomToken()).not.toBe(randomToken());
  });

  it('knows a loopback URL', () => {
    expect(isLoopbackUrl('http://127.0.0.1:7787/hooks/x')).toBe(true);
    expect(isLoopbackUrl('http://localhost:7787/hooks/x')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:7787/hooks/x')).toBe(true);
    expect(isLoopbackUrl('https://relay.example.org/h/c/x')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

describe('connection', () => {
  const t = (key: MessageKey, params?: Record<string, string | number>) => translate('en', key, params);
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

  it('waits, connects, and says when the newest thing was a refusal', () => {
    expect(connectionState({ last_delivery: null, auth_failures: 0, last_refusal: null })).toBe('waiting');
    const delivery = { delivery_id: 'd', at: at(10), status: 'accepted' };
    expect(connectionState({ last_delivery: delivery, auth_failures: 0 })).toBe('connected');
    const refusal = { at: at(20), kind: 'mismatch', reason: 'x', what: 'signature' };
    expect(connectionState({ last_delivery: delivery, auth_failures: 1, last_refusal: refusal })).toBe('refused');
    expect(connectionState({ last_delivery: null, auth_failures: 1, last_refusal: refusal })).toBe('refused');
    expect(connectionState({ last_delivery: { ...delivery, at: at(30) }, auth_failures: 1, last_refusal: refusal })).toBe('connected');
  });

  it('says why in words a user can act on', () => {
    const r = (over: object) => refusalText({ at: at(0), kind: 'mismatch', reason: 'engine words', ...over }, t);
    expect(r({ what: 'signature' })).toBe(en['refusal.signature']);
    expect(r({ what: 'user name and password' })).toBe(en['refusal.credentials']);
    expect(r({ kind: 'stale', distance_secs: 540, tolerance_secs: 300 })).toMatch(/^timestamp 9 min off: check the sender’s clock/);
    expect(r({ kind: 'missing', header: 'authorization' })).toContain('authorization');
    expect(r({ kind: 'something-new' })).toBe('engine words');
  });
});
