// Test harness: the real hookbelld on port 0 over a temporary data directory, and Debian's
// Chromium driven by playwright-core. Everything it starts, it stops.

import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

/** How long any wait in these tests may take. */
export const TIMEOUT = 10_000;

/** Starts hookbelld and Chromium before a file's tests and stops them after; the returned
 * object holds them as `env.daemon` and `env.chrome` once the tests run. */
export function useApp() {
  const env = {};
  before(async () => {
    env.daemon = await startDaemon();
    env.chrome = await launchBrowser();
  });
  after(async () => {
    await env.chrome?.close();
    await env.daemon?.stop();
  });
  return env;
}

/** Polls `check` until it holds, failing after TIMEOUT with `what`. */
export async function waitFor(check, what) {
  const until = Date.now() + TIMEOUT;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

const here = dirname(fileURLToPath(import.meta.url));

/** Starts hookbelld; resolves once it prints `listening on`. By default over a fresh temporary
 * data directory with the fixture config, removed at stop; with `dataDir`, over that directory
 * (given `config` when it has none yet), which is kept. */
export async function startDaemon({ bin = process.env.HOOKBELLD, dataDir: keep, config } = {}) {
  if (!bin) throw new Error("set HOOKBELLD to the hookbelld binary (make e2e does)");
  const dataDir = keep ?? mkdtempSync(join(tmpdir(), "hookbell-e2e-"));
  if (!keep || !existsSync(join(dataDir, "hookbell.toml"))) {
    copyFileSync(config ?? join(here, "fixtures", "hookbell.toml"), join(dataDir, "hookbell.toml"));
  }
  const child = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env: { ...process.env, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("hookbelld printed no `listening on` line in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`hookbelld exited early (${code})`)));
    lines.on("line", (line) => {
      const at = line.indexOf("listening on http://");
      if (at >= 0) {
        clearTimeout(timer);
        resolve(line.slice(at + "listening on ".length).trim());
      }
    });
  });
  const token = readFileSync(join(dataDir, "api-token"), "utf8").trim();
  const api = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    base,
    token,
    dataDir,
    api,
    /** POSTs `payload` (an object, or raw text) to /hooks/{source}. */
    async deliver(source, payload) {
      const response = await fetch(`${base}/hooks/${source}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof payload === "string" ? payload : JSON.stringify(payload),
      });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with no background traffic (Playwright gives each launch a
 * fresh temporary profile). */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A page on the app, signed in with the token from the URL fragment. */
export async function openApp(browser, daemon, { colorScheme = "light" } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  await page.goto(`${daemon.base}/#token=${daemon.token}`);
  return { page, context, problems };
}
