import { describe, expect, it } from 'vitest';
import { carrierCouldForge, isOpen, SIGNING_SCHEMES, trustWarnings } from '../src/lib/trust';

const RELAY = 'https://relay.example.org/h/ch1/src';
const source = (auth_scheme: string, relay: string | null = null, id = 'src') => ({ id, auth_scheme, urls: { relay } });

describe('trust warnings', () => {
  it('warns on every source with no authentication', () => {
    expect(isOpen('none')).toBe(true);
    expect(trustWarnings(source('none'))).toEqual(['open']);
    for (const scheme of ['basic', 'bearer', 'header', ...SIGNING_SCHEMES]) {
      expect(isOpen(scheme), scheme).toBe(false);
      expect(trustWarnings(source(scheme)), scheme).toEqual([]);
    }
  });

  it('flags relayed sources whose credential the relay sees, or that have none', () => {
    for (const scheme of ['none', 'basic', 'bearer', 'header']) {
      expect(carrierCouldForge(scheme), scheme).toBe(true);
      expect(trustWarnings(source(scheme, RELAY)), scheme).toContain('relay');
    }
    expect(trustWarnings(source('none', RELAY))).toEqual(['open', 'relay']);
  });

  it('does not flag signing schemes, relayed or not', () => {
    expect([...SIGNING_SCHEMES].sort()).toEqual(['gitguardian', 'github', 'hmac-sha256', 'standard-webhooks']);
    for (const scheme of SIGNING_SCHEMES) {
      expect(carrierCouldForge(scheme), scheme).toBe(false);
      expect(trustWarnings(source(scheme, RELAY), { smeeSources: ['src'] }), scheme).toEqual([]);
    }
  });

  it('says nothing about the relay when none is paired', () => {
    expect(trustWarnings(source('bearer', null))).toEqual([]);
  });

  it('treats a scheme it does not know as forgeable', () => {
    expect(carrierCouldForge('something-new')).toBe(true);
    expect(trustWarnings(source('something-new', RELAY))).toEqual(['relay']);
  });

  it('flags sources fed by a smee channel the same way, and only those', () => {
    expect(trustWarnings(source('header', null, 'a'), { smeeSources: ['a'] })).toEqual(['smee']);
    expect(trustWarnings(source('header', null, 'b'), { smeeSources: ['a'] })).toEqual([]);
    expect(trustWarnings(source('github', null, 'a'), { smeeSources: ['a'] })).toEqual([]);
  });
});
