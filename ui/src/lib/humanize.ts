import type { Lang } from './types';

/** German labels for the section and field names providers commonly send. */
const DE_LABELS: Record<string, string> = {
  account: 'Konto',
  cloud_account: 'Cloud-Konto',
  asset: 'Asset',
  breach: 'Datenleck',
  breaches: 'Datenlecks',
  breach_date: 'Datum des Lecks',
  category: 'Kategorie',
  created_at: 'Erstellt am',
  updated_at: 'Aktualisiert am',
  description: 'Beschreibung',
  detected_at: 'Erkannt am',
  domain: 'Domain',
  email: 'E-Mail',
  exposed_data: 'Betroffene Daten',
  first_seen: 'Zuerst gesehen',
  last_seen: 'Zuletzt gesehen',
  host: 'Host',
  id: 'ID',
  ip: 'IP',
  ip_address: 'IP-Adresse',
  location: 'Ort',
  name: 'Name',
  password: 'Passwort',
  payload: 'Nutzdaten',
  policies: 'Richtlinien',
  policy: 'Richtlinie',
  provider: 'Anbieter',
  query: 'Abfrage',
  region: 'Region',
  resource: 'Ressource',
  resources: 'Ressourcen',
  result: 'Ergebnis',
  rule: 'Regel',
  severity: 'Schweregrad',
  source: 'Quelle',
  status: 'Status',
  subject: 'Betreff',
  tags: 'Schlagwörter',
  title: 'Titel',
  type: 'Typ',
  url: 'URL',
  user: 'Benutzer',
  username: 'Benutzername',
};

const ACRONYMS = new Set(['id', 'ip', 'url', 'uri', 'api', 'dns', 'ssl', 'tls', 'cve', 'cvss', 'aws', 'gcp', 'sso', 'mfa', 'ssn', 'http', 'https', 'json', 'utc']);

/** `cloud_account` → "Cloud account" (or "Cloud-Konto" in German); `ip_address` → "IP address". */
export function humanizeKey(key: string, lang: Lang = 'en'): string {
  const norm = key.trim().toLowerCase();
  if (lang === 'de' && DE_LABELS[norm]) return DE_LABELS[norm];
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-\s.]+/)
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  if (words.length === 0) return key;
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ');
}

export type Scalar = string | number | boolean | null;

export function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How one value is shown. */
export type ValueView =
  | { kind: 'scalar'; value: Scalar }
  | { kind: 'list'; text: string }
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'json'; text: string };

/** How one section is shown: a field table, a table of objects, or pretty-printed JSON. */
export type SectionView =
  | { kind: 'fields'; fields: { key: string; value: ValueView }[] }
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'list'; text: string }
  | { kind: 'json'; text: string };

export interface Section {
  key: string;
  view: SectionView;
}

function objectTable(items: Record<string, unknown>[]): { columns: string[]; rows: unknown[][] } {
  const columns: string[] = [];
  for (const item of items) for (const k of Object.keys(item)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows: items.map((item) => columns.map((c) => item[c])) };
}

export function viewValue(v: unknown): ValueView {
  if (isScalar(v)) return { kind: 'scalar', value: v };
  if (Array.isArray(v)) {
    if (v.every(isScalar)) return { kind: 'list', text: v.map((x) => String(x)).join(', ') };
    if (v.length > 0 && v.every(isPlainObject)) {
      return { kind: 'table', ...objectTable(v) };
    }
  }
  return { kind: 'json', text: JSON.stringify(v, null, 2) };
}

/** Cell text for a small table (nested values inline as compact JSON). */
export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (isScalar(v)) return String(v);
  if (Array.isArray(v) && v.every(isScalar)) return v.map(String).join(', ');
  return JSON.stringify(v);
}

function viewSection(v: unknown): SectionView {
  if (isPlainObject(v)) {
    return { kind: 'fields', fields: Object.entries(v).map(([key, value]) => ({ key, value: viewValue(value) })) };
  }
  const value = viewValue(v);
  if (value.kind === 'scalar') return { kind: 'list', text: value.value === null ? '—' : String(value.value) };
  return value;
}

/** The alert's `details` object as sections, in the order the provider sent them. */
export function detailSections(details: unknown): Section[] {
  if (!isPlainObject(details)) return [];
  return Object.entries(details).map(([key, v]) => ({ key, view: viewSection(v) }));
}
