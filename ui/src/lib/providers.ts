/**
 * Provider presets for the add-source form: what each provider sends and how it authenticates
 * (see docs/providers.md), so choosing one fills the form. One entry per provider the engine
 * reads; `ENGINE_PROVIDERS` mirrors `GET /api/providers` and is checked against the engine by
 * crates/hookbell-server/src/api/providers.rs, and against `PRESETS` by tests/providers.test.ts.
 */

import type { Lang } from './types';

/** Mirrored from `GET /api/providers` (the engine's test fails when this list drifts). */
export const ENGINE_PROVIDERS = [
  { id: 'omniac', default_scheme: 'none' },
  { id: 'enzoic', default_scheme: 'basic' },
  { id: 'osintly', default_scheme: 'hmac-sha256' },
  { id: 'leakix', default_scheme: 'none' },
  { id: 'cyscale', default_scheme: 'none' },
  { id: 'generic', default_scheme: 'standard-webhooks' },
  { id: 'github', default_scheme: 'github' },
  { id: 'gitguardian', default_scheme: 'gitguardian' },
  { id: 'canarytokens', default_scheme: 'none' },
] as const;

export type ProviderId = (typeof ENGINE_PROVIDERS)[number]['id'];
export const PROVIDER_IDS: readonly ProviderId[] = ENGINE_PROVIDERS.map((p) => p.id);

export const SCHEMES = ['none', 'basic', 'bearer', 'header', 'hmac-sha256', 'standard-webhooks', 'github', 'gitguardian'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface Preset {
  /** The suggested display name. */
  name: string;
  scheme: Scheme;
  /** hmac-sha256: the header names (Osintly does not publish them: our defaults, editable). */
  signatureHeader?: string;
  timestampHeader?: string;
  /** Seconds a signed timestamp may be off (hmac-sha256, gitguardian). */
  toleranceSecs?: number;
  /** The provider sends no credential: the source id is generated and unguessable. */
  unguessableId: boolean;
  /** The receiver chooses the secret (GitHub, GitGuardian, Osintly): the form generates one. */
  generateSecret: boolean;
  /** Basic: the provider's own words for user name and password. */
  basicLabels?: { username: string; password: string };
  /** It posts only to public addresses: only the relay URL can work. */
  publicOnly: boolean;
}

const HMAC = { signatureHeader: 'X-Signature', timestampHeader: 'X-Timestamp', toleranceSecs: 300 };

export const PRESETS: Record<ProviderId, Preset> = {
  omniac: { name: 'omniac Business', scheme: 'none', unguessableId: true, generateSecret: false, publicOnly: false },
  enzoic: {
    name: 'Enzoic Breach Monitoring',
    scheme: 'basic',
    unguessableId: false,
    generateSecret: false,
    basicLabels: { username: 'Webhook Key', password: 'Webhook Secret' },
    publicOnly: false,
  },
  osintly: { name: 'Osintly', scheme: 'hmac-sha256', ...HMAC, unguessableId: false, generateSecret: true, publicOnly: false },
  leakix: { name: 'LeakIX', scheme: 'none', unguessableId: true, generateSecret: false, publicOnly: false },
  cyscale: { name: 'Cyscale', scheme: 'none', unguessableId: true, generateSecret: false, publicOnly: false },
  generic: { name: 'Webhook sender', scheme: 'standard-webhooks', unguessableId: false, generateSecret: false, publicOnly: false },
  github: { name: 'GitHub security alerts', scheme: 'github', unguessableId: false, generateSecret: true, publicOnly: false },
  gitguardian: { name: 'GitGuardian', scheme: 'gitguardian', toleranceSecs: 300, unguessableId: false, generateSecret: true, publicOnly: false },
  canarytokens: { name: 'Canarytokens', scheme: 'none', unguessableId: true, generateSecret: false, publicOnly: true },
};

export function isProviderId(v: unknown): v is ProviderId {
  return typeof v === 'string' && (PROVIDER_IDS as readonly string[]).includes(v);
}

/** The preset for `id`, or a neutral one for a provider this UI does not know yet. */
export function presetFor(id: string): Preset {
  return isProviderId(id)
    ? PRESETS[id]
    : { name: id, scheme: 'none', unguessableId: true, generateSecret: false, publicOnly: false };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `n` random bytes from the browser's CSPRNG. */
function csprngBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** `bytes` random bytes (from the browser's CSPRNG unless a test passes `random`), as
 * lowercase base32 (URL- and id-safe): 8 characters per 5 bytes. */
export function randomToken(bytes = 16, random: (n: number) => Uint8Array = csprngBytes): string {
  const raw = random(bytes);
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of raw) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/** Host names that only this computer reaches. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** What to do in the provider's console, in its own words: plain text, one step a line. */
export const STEPS: Record<ProviderId, Record<Lang, readonly string[]>> = {
  omniac: {
    en: [
      'omniac switches the Push-API on per customer on request: ask your omniac Business contact to enable push delivery of new alerts.',
      'Give them the URL above as your push endpoint.',
      'omniac sends no password: the random ID in the URL is what keeps strangers out, so share it only with omniac.',
      'omniac marks an alert delivered once Hookbell has stored it; the next new alert shows up here.',
    ],
    de: [
      'omniac schaltet die Push-API auf Anfrage pro Kunde frei: Bitte deinen Ansprechpartner bei omniac Business, die Push-Zustellung neuer Alarme einzuschalten.',
      'Gib ihm die URL oben als Push-Endpunkt.',
      'omniac sendet kein Passwort: Nur die zufällige ID in der URL hält Fremde fern, also gib sie nur omniac weiter.',
      'omniac vermerkt einen Alarm als zugestellt, sobald Hookbell ihn gespeichert hat; der nächste neue Alarm erscheint hier.',
    ],
  },
  enzoic: {
    en: [
      'Register a webhook with Enzoic: with the Webhooks API of your Enzoic account, or by asking Enzoic support, giving the URL above as the webhook URL.',
      'Enzoic answers with a Webhook Key and a Webhook Secret: enter them here as “Webhook Key” and “Webhook Secret” (with Edit if you saved already).',
      'Add the e-mail addresses, domains or identities to watch in Breach Monitoring: each new exposure arrives here as an alert.',
    ],
    de: [
      'Registriere bei Enzoic einen Webhook: über die Webhooks-API deines Enzoic-Kontos oder über den Enzoic-Support, mit der URL oben als Webhook-URL.',
      'Enzoic gibt dir dann einen Webhook Key und ein Webhook Secret: Trag sie hier als „Webhook Key“ und „Webhook Secret“ ein (mit „Bearbeiten“, falls schon gespeichert).',
      'Leg in Breach Monitoring die E-Mail-Adressen, Domains oder Identitäten an, die überwacht werden sollen: Jeder neue Fund kommt hier als Meldung an.',
    ],
  },
  osintly: {
    en: [
      'Osintly calls back per search: when you start one (POST /search), add a "webhook" object whose "url" is the URL above and whose "secret" is this source’s secret.',
      'Hookbell generated the secret: show it with Edit → Show and use exactly that text.',
      'A delivery comes when the search has finished or failed.',
      'Osintly does not publish its signature header names; if a delivery is refused for a missing header, enter Osintly’s header names with Edit.',
    ],
    de: [
      'Osintly meldet sich pro Suche: Wenn du eine startest (POST /search), gib ein "webhook"-Objekt mit: "url" ist die URL oben, "secret" das Geheimnis dieser Quelle.',
      'Hookbell hat das Geheimnis erzeugt: Zeig es mit „Bearbeiten“ → „Anzeigen“ an und verwende genau diesen Text.',
      'Eine Zustellung kommt, wenn die Suche fertig oder fehlgeschlagen ist.',
      'Osintly veröffentlicht die Namen seiner Signatur-Header nicht; wird eine Zustellung wegen eines fehlenden Headers abgewiesen, trag mit „Bearbeiten“ die Header-Namen von Osintly ein.',
    ],
  },
  leakix: {
    en: [
      'Sign in at leakix.net (alerting needs a Pro plan), open your alert channels and choose “Hooks”.',
      'Add a hook with the URL above.',
      'Send the alerts you want to this hook and pick the severities to receive.',
      'LeakIX sends no password: the random ID in the URL keeps strangers out, so keep it to yourself.',
    ],
    de: [
      'Melde dich bei leakix.net an (Alarme brauchen einen Pro-Tarif), öffne deine Alarmkanäle und wähle „Hooks“.',
      'Leg einen Hook mit der URL oben an.',
      'Leite die gewünschten Alarme an diesen Hook und wähle die Schweregrade, die du bekommen willst.',
      'LeakIX sendet kein Passwort: Nur die zufällige ID in der URL hält Fremde fern, also behalte sie für dich.',
    ],
  },
  cyscale: {
    en: [
      'In Cyscale, open the notification settings and add a webhook with the URL above.',
      'Choose what to receive: “New Alerts”, “Compliance threshold violations”, or both.',
      'Cyscale documents no authentication: the random ID in the URL keeps strangers out, so keep it to yourself.',
    ],
    de: [
      'Öffne in Cyscale die Benachrichtigungs-Einstellungen und leg einen Webhook mit der URL oben an.',
      'Wähle, was du bekommen willst: „New Alerts“, „Compliance threshold violations“ oder beides.',
      'Cyscale dokumentiert keine Authentifizierung: Nur die zufällige ID in der URL hält Fremde fern, also behalte sie für dich.',
    ],
  },
  generic: {
    en: [
      'In the sender’s webhook settings (often “Webhooks” or “Endpoints”), add an endpoint with the URL above.',
      'Senders that follow Standard Webhooks (Svix among them) show a signing secret that starts with whsec_: copy it into this source’s secret (Edit).',
      'If the sender signs another way, choose its scheme with Edit (GitHub-style signature, bearer token, custom header).',
      'Choose the events to send; if the sender has a “Send test” button, use it and watch this source turn connected.',
    ],
    de: [
      'Leg in den Webhook-Einstellungen des Absenders (oft „Webhooks“ oder „Endpoints“) einen Endpunkt mit der URL oben an.',
      'Absender nach Standard Webhooks (darunter Svix) zeigen ein Signatur-Geheimnis, das mit whsec_ beginnt: Kopier es in das Geheimnis dieser Quelle („Bearbeiten“).',
      'Signiert der Absender anders, wähl mit „Bearbeiten“ sein Verfahren (Signatur wie GitHub, Bearer-Token, eigener Header).',
      'Wähl die Ereignisse aus; hat der Absender einen Test-Knopf, nutz ihn und sieh zu, wie diese Quelle auf „verbunden“ springt.',
    ],
  },
  github: {
    en: [
      'On GitHub, open the repository (or organization) → Settings → Webhooks → Add webhook.',
      'Payload URL: the URL above. Content type: application/json. Secret: this source’s secret (Edit → Show).',
      'Under “Which events would you like to trigger this webhook?” choose “Let me select individual events” and tick Code scanning alerts, Dependabot alerts, Secret scanning alerts, Secret scanning alert locations and Repository advisories.',
      'Leave “Active” ticked and add the webhook: GitHub sends a ping at once, and this source turns connected.',
    ],
    de: [
      'Öffne auf GitHub das Repository (oder die Organisation) → Settings → Webhooks → Add webhook.',
      'Payload URL: die URL oben. Content type: application/json. Secret: das Geheimnis dieser Quelle („Bearbeiten“ → „Anzeigen“).',
      'Wähl unter „Which events would you like to trigger this webhook?“ „Let me select individual events“ und kreuz Code scanning alerts, Dependabot alerts, Secret scanning alerts, Secret scanning alert locations und Repository advisories an.',
      'Lass „Active“ angekreuzt und leg den Webhook an: GitHub schickt sofort einen Ping, und diese Quelle springt auf „verbunden“.',
    ],
  },
  gitguardian: {
    en: [
      'In the GitGuardian dashboard, open Settings → Integrations → Destinations and add a custom webhook.',
      'URL: the URL above. Signature token: this source’s secret (Edit → Show).',
      'Pick the events: incidents (triggered, regression, resolved…) and, if you use them, honeytokens.',
      'Use “Send test message” to see this source turn connected.',
    ],
    de: [
      'Öffne im GitGuardian-Dashboard Settings → Integrations → Destinations und leg einen eigenen Webhook (custom webhook) an.',
      'URL: die URL oben. Signature token: das Geheimnis dieser Quelle („Bearbeiten“ → „Anzeigen“).',
      'Wähl die Ereignisse: Incidents (triggered, regression, resolved …) und, wenn du sie nutzt, Honeytokens.',
      'Nutz „Send test message“, um diese Quelle auf „verbunden“ springen zu sehen.',
    ],
  },
  canarytokens: {
    en: [
      'Canarytokens only posts to public addresses: use the relay URL, never a 127.0.0.1 URL.',
      'When you create a token on canarytokens.org (or your own Canarytokens server), paste the URL into the webhook field where it asks how to notify you.',
      'Canarytokens sends a test when the token is saved: this source then turns connected. A tripped token arrives as a critical alert.',
      'Canarytokens sends no password: the random ID in the URL keeps strangers out, so keep it to yourself.',
    ],
    de: [
      'Canarytokens sendet nur an öffentliche Adressen: Nimm die Relay-URL, nie eine 127.0.0.1-URL.',
      'Wenn du auf canarytokens.org (oder deinem eigenen Canarytokens-Server) ein Token anlegst, füg die URL in das Webhook-Feld ein, wo nach der Benachrichtigung gefragt wird.',
      'Canarytokens schickt beim Speichern einen Test: Diese Quelle springt dann auf „verbunden“. Ein ausgelöstes Token kommt als kritische Meldung an.',
      'Canarytokens sendet kein Passwort: Nur die zufällige ID in der URL hält Fremde fern, also behalte sie für dich.',
    ],
  },
};
