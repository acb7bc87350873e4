import type { RelayStatus } from './types';

const TOKEN_KEY = 'hookbell.token';

export class Unauthorized extends Error {
  constructor() {
    super('unauthorized');
  }
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let unauthorizedHandler: () => void = () => {};

export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    /* storage disabled: the token is lost on reload, nothing else to do */
  }
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const text = await res.text();
    try {
      const body: unknown = JSON.parse(text);
      if (body && typeof body === 'object' && 'error' in body) {
        const err = (body as { error: unknown }).error;
        if (typeof err === 'string') return err;
        if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
      }
    } catch {
      /* not JSON */
    }
    return text.slice(0, 200) || `${res.status} ${res.statusText}`;
  } catch {
    return `${res.status} ${res.statusText}`;
  }
}

/** Call the daemon's API; JSON in, JSON out. A 401 raises {@link Unauthorized}. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  const req: RequestInit = { method: init.method ?? 'GET', headers, cache: 'no-store' };
  if (init.signal) req.signal = init.signal;
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    req.body = JSON.stringify(init.body);
  }
  const res = await fetch(path, req);
  if (res.status === 401) {
    unauthorizedHandler();
    throw new Unauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** `GET /api/relay`: the relay connection's status. */
export function loadRelay(signal?: AbortSignal): Promise<RelayStatus> {
  return api<RelayStatus>('/api/relay', signal ? { signal } : {});
}

/**
 * `POST /api/relay/pair`: pairs with the relay at `url`, showing `invite` (an invite code or the
 * operator's pairing secret) when given; 400 (not http(s)) and 502 (unreachable, or refused:
 * a relay not open to anyone wants an invite) raise the engine's message.
 */
export function pairRelay(url: string, invite = ''): Promise<RelayStatus> {
  const code = invite.trim();
  return api<RelayStatus>('/api/relay/pair', { method: 'POST', body: code ? { url, invite: code } : { url } });
}

/** `POST /api/relay/rotate`: a new key pair for the channel. */
export function rotateRelayKey(): Promise<RelayStatus> {
  return api<RelayStatus>('/api/relay/rotate', { method: 'POST' });
}

/** `DELETE /api/relay`: unpairs and forgets the relay. */
export function unpairRelay(): Promise<RelayStatus> {
  return api<RelayStatus>('/api/relay', { method: 'DELETE' });
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export function notifyUnauthorized(): void {
  unauthorizedHandler();
}
