import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The daemon (hookbelld) serves dist/ at `/` under a strict CSP: no inline scripts or
// styles. Vite emits external, hashed JS and CSS; the module-preload polyfill is off so
// nothing is inlined into index.html.
declare const process: { env: Record<string, string | undefined> };
const daemon = process.env.HOOKBELL_API ?? 'http://127.0.0.1:7790';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  server: {
    proxy: {
      // The daemon checks the Host header, hence changeOrigin.
      '/api': { target: daemon, changeOrigin: true },
    },
  },
  preview: {
    // Same CSP as hookbelld sends, so `vite preview` shows CSP violations early.
    headers: { 'Content-Security-Policy': CSP },
    proxy: {
      '/api': { target: daemon, changeOrigin: true },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // The contrast test reads the stylesheet (`app.css?raw`); Vitest blanks CSS unless told.
    css: { include: [/app\.css/] },
  },
});
