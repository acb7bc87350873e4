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
  };
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
}

export interface DeliveryWithBody {
  delivery: Delivery;
  body: string;
  body_encoding: 'utf-8' | 'base64';
}

export type Lang = 'en' | 'de';

export interface Settings {
  language: Lang | null;
  effective_language: Lang;
}

export interface Filters {
  source: string;
  severity: Severity | '';
  status: Status | '';
  q: string;
}

export const EMPTY_FILTERS: Filters = { source: '', severity: '', status: '', q: '' };
