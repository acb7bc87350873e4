/** The add/edit source form: its fields, their validation and the request body they make. */

import { SCHEMES, isProviderId, presetFor, randomToken, type ProviderId, type Scheme } from './providers';

export const DEFAULT_SIGNATURE_HEADER = 'X-Signature';
export const DEFAULT_TIMESTAMP_HEADER = 'X-Timestamp';
export const DEFAULT_TOLERANCE_SECS = 300;

export type AuthConfig =
  | { scheme: 'none' }
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'header'; name: string; value: string }
  | { scheme: 'hmac-sha256'; secret: string; signature_header: string; timestamp_header: string; tolerance_secs: number }
  | { scheme: 'standard-webhooks'; secret: string; tolerance_secs?: number }
  | { scheme: 'github'; secret: string }
  | { scheme: 'gitguardian'; secret: string; tolerance_secs: number };

export interface SourceInput {
  provider: ProviderId | '';
  name: string;
  auth: AuthConfig;
}

/** Every field of the form, flat, as the inputs bind to them. */
export interface SourceFormValues {
  id: string;
  /** Empty until the user picks one in a new source's form. */
  provider: ProviderId | '';
  name: string;
  scheme: Scheme;
  username: string;
  password: string;
  token: string;
  headerName: string;
  headerValue: string;
  secret: string;
  signatureHeader: string;
  timestampHeader: string;
  toleranceSecs: string;
  /** Kept from an edited standard-webhooks source so saving does not reset it. */
  webhooksTolerance: number | null;
}

export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * A source id nobody can guess: `prefix` and 32 base32 characters (160 random bits), within
 * SOURCE_ID_PATTERN. `random` is for tests.
 */
export function unguessableId(prefix: string, random?: (n: number) => Uint8Array): string {
  return prefix + randomToken(20, random);
}

export function emptyForm(): SourceFormValues {
  return {
    id: '',
    provider: '',
    name: '',
    scheme: 'none',
    username: '',
    password: '',
    token: '',
    headerName: '',
    headerValue: '',
    secret: '',
    signatureHeader: DEFAULT_SIGNATURE_HEADER,
    timestampHeader: DEFAULT_TIMESTAMP_HEADER,
    toleranceSecs: String(DEFAULT_TOLERANCE_SECS),
    webhooksTolerance: null,
  };
}

function isScheme(v: unknown): v is Scheme {
  return typeof v === 'string' && (SCHEMES as readonly string[]).includes(v);
}

function str(o: Record<string, unknown>, key: string, fallback = ''): string {
  const v = o[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}

/** Fill the form from `GET /api/sources/{id}?reveal=true`. */
export function formFromSource(source: { id: string; provider: string; name: string; auth?: unknown }): SourceFormValues {
  const f = emptyForm();
  f.id = source.id;
  f.provider = isProviderId(source.provider) ? source.provider : 'generic';
  f.name = source.name;
  const auth = (source.auth && typeof source.auth === 'object' ? source.auth : {}) as Record<string, unknown>;
  f.scheme = isScheme(auth.scheme) ? auth.scheme : 'none';
  f.username = str(auth, 'username');
  f.password = str(auth, 'password');
  f.token = str(auth, 'token');
  f.headerName = str(auth, 'name');
  f.headerValue = str(auth, 'value');
  f.secret = str(auth, 'secret');
  f.signatureHeader = str(auth, 'signature_header', DEFAULT_SIGNATURE_HEADER);
  f.timestampHeader = str(auth, 'timestamp_header', DEFAULT_TIMESTAMP_HEADER);
  f.toleranceSecs = str(auth, 'tolerance_secs', String(DEFAULT_TOLERANCE_SECS));
  if (f.scheme === 'standard-webhooks' && typeof auth.tolerance_secs === 'number') f.webhooksTolerance = auth.tolerance_secs;
  return f;
}

/** The `auth` object for the chosen scheme; only that scheme's fields are sent. */
export function authFromForm(f: SourceFormValues): AuthConfig {
  switch (f.scheme) {
    case 'none':
      return { scheme: 'none' };
    case 'basic':
      return { scheme: 'basic', username: f.username, password: f.password };
    case 'bearer':
      return { scheme: 'bearer', token: f.token };
    case 'header':
      return { scheme: 'header', name: f.headerName.trim(), value: f.headerValue };
    case 'hmac-sha256':
      return {
        scheme: 'hmac-sha256',
        secret: f.secret,
        signature_header: f.signatureHeader.trim() || DEFAULT_SIGNATURE_HEADER,
        timestamp_header: f.timestampHeader.trim() || DEFAULT_TIMESTAMP_HEADER,
        tolerance_secs: f.toleranceSecs.trim() === '' ? DEFAULT_TOLERANCE_SECS : Number(f.toleranceSecs),
      };
    case 'standard-webhooks':
      return f.webhooksTolerance === null
        ? { scheme: 'standard-webhooks', secret: f.secret }
        : { scheme: 'standard-webhooks', secret: f.secret, tolerance_secs: f.webhooksTolerance };
    case 'github':
      return { scheme: 'github', secret: f.secret };
    case 'gitguardian':
      return {
        scheme: 'gitguardian',
        secret: f.secret,
        tolerance_secs: f.toleranceSecs.trim() === '' ? DEFAULT_TOLERANCE_SECS : Number(f.toleranceSecs),
      };
  }
}

export function inputFromForm(f: SourceFormValues): SourceInput {
  return { provider: f.provider, name: f.name.trim(), auth: authFromForm(f) };
}

/** A source id for `provider`: the provider's id (numbered when taken) or, for providers that
 * send no credential, an unguessable one, since the URL is then the only secret. */
export function suggestId(provider: string, taken: readonly string[]): string {
  if (presetFor(provider).unguessableId) return unguessableId(`${provider.slice(0, 12)}-`);
  if (!taken.includes(provider)) return provider;
  for (let n = 2; ; n++) if (!taken.includes(`${provider}-${n}`)) return `${provider}-${n}`;
}

/** What the form filled in by itself, so a later provider change may replace it but never
 * what the user typed. */
export interface Suggested {
  id: string;
  name: string;
}

/**
 * Choosing `provider` in a new source's form: its scheme, header names, tolerance, a suggested
 * name and id (an unguessable one for providers that send no credential), and a generated
 * secret where the receiver chooses it. Fields the user typed stay.
 */
export function applyPreset(
  f: SourceFormValues,
  provider: ProviderId,
  taken: readonly string[],
  suggested: Suggested,
): { form: SourceFormValues; suggested: Suggested } {
  const preset = presetFor(provider);
  const next: SourceFormValues = { ...f, provider, scheme: preset.scheme };
  const out: Suggested = { ...suggested };
  if (f.id === '' || f.id === suggested.id) {
    next.id = suggestId(provider, taken);
    out.id = next.id;
  }
  if (f.name.trim() === '' || f.name === suggested.name) {
    next.name = preset.name;
    out.name = preset.name;
  }
  next.signatureHeader = preset.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
  next.timestampHeader = preset.timestampHeader ?? DEFAULT_TIMESTAMP_HEADER;
  next.toleranceSecs = String(preset.toleranceSecs ?? DEFAULT_TOLERANCE_SECS);
  if (preset.generateSecret) next.secret = randomToken(24);
  else if (preset.scheme === 'standard-webhooks' && !next.secret.startsWith('whsec_')) next.secret = '';
  return { form: next, suggested: out };
}

/** Problems the browser can spot before asking the daemon (which checks everything again). */
export type FormProblem = 'id' | 'tolerance' | 'provider';

export function validateForm(f: SourceFormValues, creating: boolean): FormProblem | null {
  if (f.provider === '') return 'provider';
  if (creating && !SOURCE_ID_PATTERN.test(f.id)) return 'id';
  if ((f.scheme === 'hmac-sha256' || f.scheme === 'gitguardian') && f.toleranceSecs.trim() !== '') {
    const n = Number(f.toleranceSecs);
    if (!Number.isInteger(n) || n < 0) return 'tolerance';
  }
  return null;
}
