/**
 * What the Sources screen warns about, per source: who besides the provider could put an alert
 * into the inbox through it. Pure functions, so the rule is tested on its own (tests/trust.test.ts).
 */

/** Schemes where the sender signs the body with a secret that never travels with the request:
 * whoever carries a delivery (a relay, a smee channel) can neither forge nor alter one. */
export const SIGNING_SCHEMES: readonly string[] = ['hmac-sha256', 'standard-webhooks', 'github', 'gitguardian'];

export type TrustWarning =
  /** `auth = none`: whoever learns the URL can plant alerts. */
  | 'open'
  /** Reaches this computer through the paired relay with a scheme the relay could forge. */
  | 'relay'
  /** Followed through a smee-style channel with a scheme the channel could forge. */
  | 'smee';

/** True for `none`. */
export function isOpen(scheme: string): boolean {
  return scheme === 'none';
}

/** True when something that carries a delivery could make one up: it sees the credential
 * (`basic`, `bearer`, `header`), there is none (`none`), or the scheme is one this UI does not
 * know (better a needless warning than a missing one). */
export function carrierCouldForge(scheme: string): boolean {
  return !SIGNING_SCHEMES.includes(scheme);
}

/** The source's fields the rule reads (a subset of `Source` from GET /api/sources). */
export interface TrustInput {
  id: string;
  auth_scheme: string;
  urls: { relay: string | null };
}

/** What the UI knows of the ways in besides the direct URL: the ids of sources fed by a smee
 * channel (`GET /api/relay` `smee[].source`). A relay is paired when the source has a relay URL. */
export interface Carriers {
  smeeSources: readonly string[];
}

/** The warnings a source gets, most serious first. */
export function trustWarnings(source: TrustInput, carriers: Carriers = { smeeSources: [] }): TrustWarning[] {
  const out: TrustWarning[] = [];
  const scheme = source.auth_scheme;
  if (isOpen(scheme)) out.push('open');
  if (carrierCouldForge(scheme)) {
    if (source.urls.relay !== null) out.push('relay');
    if (carriers.smeeSources.includes(source.id)) out.push('smee');
  }
  return out;
}
