import { authHeaders, notifyUnauthorized } from './api';
import { backoffMs, SseParser, type SseEvent } from './sse';

export interface LiveHandlers {
  event: (ev: SseEvent) => void;
  /** Connected (true) or waiting to reconnect (false). */
  status: (connected: boolean) => void;
}

/**
 * Read `/api/events` with fetch (EventSource cannot send the Authorization header),
 * parse the frames, and reconnect with backoff when the stream ends or fails.
 * Returns a function that stops it for good.
 */
export function connectLive(handlers: LiveHandlers): () => void {
  let stopped = false;
  let attempt = 0;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function run(): Promise<void> {
    controller = new AbortController();
    try {
      const res = await fetch('/api/events', {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (res.status === 401) {
        notifyUnauthorized();
        stopped = true;
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      handlers.status(true);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        attempt = 0;
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) handlers.event(ev);
      }
    } catch {
      /* network error or abort: fall through to reconnect */
    }
    if (stopped) return;
    handlers.status(false);
    timer = setTimeout(() => void run(), backoffMs(attempt++));
  }

  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}
