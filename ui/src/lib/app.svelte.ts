import { api, getToken, onUnauthorized, setToken } from './api';
import { parseRoute, takeToken, type Route } from './fragment';
import { translate, type MessageKey } from './i18n';
import { parseSettings } from './settings';
import type { Lang, Settings, SettingsPatch, Source, Stats } from './types';

export type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'hookbell.theme';

const LANG_KEY = 'hookbell.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'en' || saved === 'de') return saved;
  } catch {
    /* storage disabled */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('de') ? 'de' : 'en';
}

function initialTheme(): Theme {
  try {
    const v = localStorage.getItem(THEME_KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    /* storage disabled */
  }
  return 'system';
}

export const app = $state({
  lang: initialLang() as Lang,
  langSetting: null as Lang | null,
  /** The engine's settings as last read or saved (null until the first answer). */
  settings: null as Settings | null,
  theme: initialTheme(),
  auth: 'unknown' as 'unknown' | 'ok' | 'missing' | 'rejected',
  route: { name: 'inbox', alertId: null } as Route,
  stats: null as Stats | null,
  sources: [] as Source[],
  live: true,
  now: Date.now(),
  /** Text for the polite live region (new-alert announcements, confirmations). */
  announcement: '',
});

/** Translate with the current language (reactive in templates). */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return translate(app.lang, key, params);
}

export function announce(text: string): void {
  app.announcement = '';
  queueMicrotask(() => (app.announcement = text));
}

const systemDark = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

/** The theme on screen: the chosen one, or the system's when following it. */
function resolvedTheme(theme: Theme): 'light' | 'dark' {
  if (theme !== 'system') return theme;
  return systemDark?.matches ? 'dark' : 'light';
}

// Following the system means following its changes too.
systemDark?.addEventListener('change', () => {
  if (app.theme === 'system') document.documentElement.setAttribute('data-theme', resolvedTheme('system'));
});

export function applyTheme(theme: Theme): void {
  app.theme = theme;
  // Always a concrete theme on <html>, so the stylesheet has one dark palette, not two.
  document.documentElement.setAttribute('data-theme', resolvedTheme(theme));
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    /* storage disabled */
  }
}

export function setLangLocal(lang: Lang): void {
  app.lang = lang;
  document.documentElement.lang = lang;
}

/** Take the token from `#token=…`, store it, and scrub it from the address bar. */
export function boot(): void {
  applyTheme(app.theme);
  setLangLocal(app.lang);
  const { token, rest } = takeToken(location.hash);
  if (token) {
    setToken(token);
    const url = location.pathname + location.search + (rest ? `#${rest}` : '');
    history.replaceState(history.state, '', url);
  }
  app.route = parseRoute(location.hash);
  app.auth = getToken() ? 'ok' : 'missing';
  onUnauthorized(() => {
    app.auth = getToken() ? 'rejected' : 'missing';
  });
  window.addEventListener('hashchange', () => {
    const found = takeToken(location.hash);
    if (found.token) {
      setToken(found.token);
      history.replaceState(history.state, '', location.pathname + location.search + (found.rest ? `#${found.rest}` : ''));
      app.auth = 'ok';
    }
    app.route = parseRoute(location.hash);
  });
  setInterval(() => (app.now = Date.now()), 30_000);
}

export function navigate(hash: string): void {
  if (location.hash === hash) return;
  location.hash = hash;
}

function took(raw: unknown): Settings {
  const s = parseSettings(raw);
  app.settings = s;
  app.langSetting = s.language;
  setLangLocal(s.effective_language);
  return s;
}

export async function loadSettings(): Promise<Settings> {
  return took(await api<unknown>('/api/settings'));
}

/** PATCH the settings; the engine answers them whole. A refused value raises its message. */
export async function saveSettings(patch: SettingsPatch): Promise<Settings> {
  return took(await api<unknown>('/api/settings', { method: 'PATCH', body: patch }));
}

export async function saveLanguage(lang: Lang): Promise<void> {
  setLangLocal(lang);
  try {
    // Also kept locally, so the choice holds even if the daemon cannot store it.
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* storage disabled */
  }
  await saveSettings({ language: lang });
}

export async function loadStats(): Promise<void> {
  app.stats = await api<Stats>('/api/stats');
}

export async function loadSources(): Promise<void> {
  const r = await api<{ sources: Source[] }>('/api/sources');
  app.sources = r.sources;
}

export function sourceName(id: string): string {
  return app.sources.find((s) => s.id === id)?.name ?? id;
}
