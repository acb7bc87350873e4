export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Status = 'unread' | 'read' | 'done';

export interface MaskedValue {
  name: string;
  value: string;
  cleartext: boolean;
  length?: number;
  algorithm?: string;
}

export interface Alert {
  id: string;
  source: string;
  provider: string;
  external_id: string;
  severity: Severity;
  title: string;
  summary: string;
  description: string;
  recommendation: string;
  subject: string;
  category: string;
  occurred_at: string | null;
  received_at: string;
  last_seen_at: string;
  seen_count: number;
  read: boolean;
  done: boolean;
  unrecognized: boolean;
  masked_values: MaskedValue[];
  links: string[];
  delivery_id: string;
  details: Record<string, unknown>;
}

export interface AlertPage {
  alerts: Alert[];
  next_cursor: string | null;
  total: number;
}

export interface Stats {
  total: number;
  unread: number;
  by_severity: Partial<Record<Severity, number>>;
  by_source: Record<string, number>;
}

export interface Source {
  id: string;
  provider: string;
  name: string;
  auth_scheme: string;
  urls: { direct: string; relay: string | null };
  activity: {
    last_delivery: { delivery_id: string; at: string; status: string } | null;
    auth_failures: number;
    /** The last delivery refused for failed authentication: why (never a secret). */
    last_refusal?: Refusal | null;
  };
}

/** Why a delivery was refused (`activity.last_refusal` of GET /api/sources). */
export interface Refusal {
  at: string;
  kind: 'missing' | 'malformed' | 'mismatch' | 'stale' | 'bad_secret' | string;
  /** The engine's own sentence, English. */
  reason: string;
  header?: string;
  what?: string;
  distance_secs?: number;
  tolerance_secs?: number;
}

export interface TestResult {
  delivery_id: string;
  alerts: string[];
  duplicate: boolean;
}

export interface Delivery {
  id: string;
  source: string;
  provider: string;
  received_at: string;
  peer: string;
  headers: [string, string][];
  size: number;
  status: string;
  error: string | null;
  alert_ids: string[];
  /** The relay envelope it arrived in; absent for deliveries posted to this machine. */
  envelope_id?: string;
}

export interface DeliveryWithBody {
  delivery: Delivery;
  body: string;
  body_encoding: 'utf-8' | 'base64';
}

export type Lang = 'en' | 'de';

/** Local wall-clock times "HH:MM" between which only critical alerts notify. */
export interface QuietHours {
  enabled: boolean;
  start: string;
  end: string;
}

/** How the desktop app notifies of new alerts. */
export interface NotificationSettings {
  enabled: boolean;
  min_severity: Severity;
  quiet_hours: QuietHours;
  muted_sources: string[];
  /** RFC 3339; set by the desktop tray's pause, null when not paused. */
  paused_until: string | null;
}

export interface Settings {
  language: Lang | null;
  effective_language: Lang;
  notifications: NotificationSettings;
  /** Alerts received longer ago than this many days are deleted; null keeps them forever. */
  retention_days: number | null;
}

/** A `PATCH /api/settings` body: any subset; `notifications` members left out keep their value. */
export interface SettingsPatch {
  language?: Lang | null;
  notifications?: Partial<NotificationSettings>;
  retention_days?: number | null;
}

/** `GET /api/about`. A path is null when the engine has none to tell (it runs without a data directory). */
export interface About {
  version: string;
  data_dir: string | null;
  config_file: string | null;
  /** Null when logs go to standard error rather than a file. */
  log_file: string | null;
  listen: string;
}

/** One smee.io-style channel followed (`[[smee]]` in hookbell.toml); read-only here. */
export interface SmeeStatus {
  url: string;
  source: string;
  state: 'connecting' | 'connected' | 'disconnected';
  last_delivery_at: string | null;
  /** Deliveries taken from it since the engine started. */
  delivered: number;
  last_error: string | null;
}

export const RELAY_STATES = ['off', 'connecting', 'connected', 'disconnected'] as const;
export type RelayState = (typeof RELAY_STATES)[number];

/** `GET /api/relay`: the desktop's connection to a hookbell-relay (also the answer to pair, rotate and unpair). */
export interface RelayStatus {
  url: string | null;
  paired: boolean;
  channel_id: string | null;
  /** `off` when no relay is configured. */
  state: RelayState;
  last_delivery_at: string | null;
  /** Envelopes the relay has waiting, as it last said. */
  backlog: number | null;
  /** Of the backlog, envelopes the relay holds because none of this computer's keys opens them (not lost: offered again at every connection); null until the relay said, or from a relay too old to hold. */
  held: number | null;
  /** Why the last held envelope could not be opened. */
  held_reason: string | null;
  last_error: string | null;
  smee: SmeeStatus[];
}

export interface Filters {
  source: string;
  severity: Severity | '';
  status: Status | '';
  q: string;
}

export const EMPTY_FILTERS: Filters = { source: '', severity: '', status: '', q: '' };
