/** Where the UI runs: inside the desktop app's window (Tauri) or in a plain browser tab. */

/** True inside the Hookbell desktop app, which shows the native notifications. */
export function isDesktopApp(): boolean {
  if (typeof window === 'undefined') return false;
  // Tauri 2 defines `isTauri` and `__TAURI_INTERNALS__` in every page of its webviews, the
  // engine's own address included (what @tauri-apps/api's isTauri() checks).
  return 'isTauri' in window || '__TAURI_INTERNALS__' in window;
}
