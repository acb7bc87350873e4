/** The add/edit source form: its fields, their validation and the request body they make. */

export const PROVIDERS = ['omniac', 'enzoic', 'osintly', 'leakix', 'cyscale', 'generic', 'gitguardian', 'canarytokens'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const AUTH_SCHEMES = ['none', 'basic', 'bearer', 'header', 'hmac-sha256', 'standard-webhooks', 'github', 'gitguardian'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

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
  provider: Provider;
  name: string;
  auth: AuthConfig;
}

/** Every field of the form, flat, as the inputs bind to them. */
export interface SourceFormValues {
  id: string;
  provider: Provider;
  name: string;
  scheme: AuthScheme;
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

/** Providers that sign nothing: the source's URL (its id) is the only secret, so it is random. */
export const UNSIGNED_PROVIDERS: readonly Provider[] = ['canarytokens'];

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A source id nobody can guess: `prefix` and 32 base32 characters (160 random bits), within
 * SOURCE_ID_PATTERN. `random` is for tests.
 */
export function unguessableId(
  prefix: string,
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  let out = prefix;
  for (const byte of random(32)) out += BASE32[byte % 32];
  return out;
}

export function emptyForm(): SourceFormValues {
  return {
    id: '',
    provider: 'generic',
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

function isProvider(v: unknown): v is Provider {
  return typeof v === 'string' && (PROVIDERS as readonly string[]).includes(v);
}

function isScheme(v: unknown): v is AuthScheme {
  return typeof v === 'string' && (AUTH_SCHEMES as readonly string[]).includes(v);
}

function str(o: Record<string, unknown>, key: string, fallback = ''): string {
  const v = o[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}

/** Fill the form from `GET /api/sources/{id}?reveal=true`. */
export function formFromSource(source: { id: string; provider: string; name: string; auth?: unknown }): SourceFormValues {
  const f = emptyForm();
  f.id = source.id;
  f.provider = isProvider(source.provider) ? source.provider : 'generic';
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

/** Problems the browser can spot before asking the daemon (which checks everything again). */
export type FormProblem = 'id' | 'tolerance';

export function validateForm(f: SourceFormValues, creating: boolean): FormProblem | null {
  if (creating && !SOURCE_ID_PATTERN.test(f.id)) return 'id';
  if ((f.scheme === 'hmac-sha256' || f.scheme === 'gitguardian') && f.toleranceSecs.trim() !== '') {
    const n = Number(f.toleranceSecs);
    if (!Number.isInteger(n) || n < 0) return 'tolerance';
  }
  return null;
}
