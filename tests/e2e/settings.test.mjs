// The Settings screen in real Chromium against the real hookbelld: notification rules and
// retention saved through the form reach the engine and survive a reload, Resume lifts a pause
// set from the tray, a refused value shows the engine's message, the hint tells the desktop
// app from a browser tab, About shows where the data is, pairing with an unreachable relay
// shows the engine's message, and screenshots in light and dark.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openApp, TIMEOUT, useApp, waitFor } from "./harness.mjs";

// Screenshots go to tests/e2e/artifacts (not kept); to refresh the ones in the docs:
// SCREENSHOTS_DIR=../../docs/screenshots make e2e
const screenshots = process.env.SCREENSHOTS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "artifacts");

const env = useApp();

/** Opens the app on the Settings screen, once the engine's settings are on it. */
async function openSettings(options) {
  const opened = await openApp(env.chrome.browser, env.daemon, options);
  await opened.page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  await opened.page.evaluate(() => (window.location.hash = "#/settings"));
  await opened.page.getByRole("form", { name: "Notifications" }).waitFor({ timeout: TIMEOUT });
  return opened;
}

async function settings() {
  const { status, body } = await env.daemon.api("GET", "/api/settings");
  assert.equal(status, 200);
  return body;
}

test("notification rules and retention saved through the form reach the engine and survive a reload", async () => {
  await env.daemon.api("PATCH", "/api/settings", {
    notifications: { min_severity: "info", quiet_hours: { enabled: false }, muted_sources: [] },
    retention_days: null,
  });
  const { page, context, problems } = await openSettings();

  const form = page.getByRole("form", { name: "Notifications" });
  await form.getByLabel("Minimum severity", { exact: true }).selectOption("high");
  await form.getByLabel("Use quiet hours", { exact: true }).check();
  await form.getByLabel("From", { exact: true }).fill("23:30");
  await form.getByLabel("To", { exact: true }).fill("06:15");
  await form.getByRole("checkbox", { name: /^Cyscale/ }).check();
  await form.getByText("You have unsaved changes.").waitFor({ timeout: TIMEOUT });
  await form.getByRole("button", { name: "Save notification settings" }).click();
  await form.getByRole("status").filter({ hasText: "Saved." }).waitFor({ timeout: TIMEOUT });

  const saved = (await settings()).notifications;
  assert.equal(saved.min_severity, "high");
  assert.deepEqual(saved.quiet_hours, { enabled: true, start: "23:30", end: "06:15" });
  assert.deepEqual(saved.muted_sources, ["cyscale"]);
  assert.equal(saved.enabled, true, "members not touched keep their value");

  const retention = page.getByRole("form", { name: "Retention" });
  const keep = retention.getByLabel("Keep alerts", { exact: true });
  assert.equal(await keep.inputValue(), "", "alerts are kept forever by default");
  await keep.selectOption({ label: "For 90 days" });
  await retention.getByText("alerts last reported more than 90 days ago are deleted", { exact: false }).waitFor({ timeout: TIMEOUT });
  await retention.getByRole("button", { name: "Save retention" }).click();
  await waitFor(async () => (await settings()).retention_days === 90, "retention_days is 90");
  await retention.getByRole("status").filter({ hasText: "Saved." }).waitFor({ timeout: TIMEOUT });

  // A reload shows what the engine keeps, not what the page remembered.
  await page.reload();
  await page.getByRole("form", { name: "Notifications" }).waitFor({ timeout: TIMEOUT });
  const again = page.getByRole("form", { name: "Notifications" });
  await waitFor(
    async () => (await again.getByLabel("Minimum severity", { exact: true }).inputValue()) === "high",
    "the reloaded form shows min severity high",
  );
  assert.equal(await again.getByLabel("Use quiet hours", { exact: true }).isChecked(), true);
  assert.equal(await again.getByLabel("From", { exact: true }).inputValue(), "23:30");
  assert.equal(await again.getByLabel("To", { exact: true }).inputValue(), "06:15");
  assert.equal(await again.getByRole("checkbox", { name: /^Cyscale/ }).isChecked(), true);
  assert.equal(await again.getByRole("checkbox", { name: /^Enzoic/ }).isChecked(), false);
  assert.equal(await page.getByRole("form", { name: "Retention" }).getByLabel("Keep alerts", { exact: true }).inputValue(), "90");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the form works from the keyboard, with a visible focus", async () => {
  await env.daemon.api("PATCH", "/api/settings", { notifications: { enabled: true, muted_sources: [] } });
  const { page, context, problems } = await openSettings();
  const form = page.getByRole("form", { name: "Notifications" });
  const enabled = form.getByLabel("Notify me of new alerts", { exact: true });
  await enabled.focus();
  await page.keyboard.press("Space");
  assert.equal(await enabled.isChecked(), false, "Space unticks the box");
  const save = form.getByRole("button", { name: "Save notification settings" });
  await save.focus();
  const outline = await save.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none", "the focused button shows a focus ring");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await settings()).notifications.enabled === false, "notifications are off");
  await env.daemon.api("PATCH", "/api/settings", { notifications: { enabled: true } });
  assert.deepEqual(problems, []);
  await context.close();
});

test("Resume lifts a pause set from the tray", async () => {
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const paused = await env.daemon.api("PATCH", "/api/settings", { notifications: { paused_until: until } });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  const { page, context, problems } = await openSettings();
  await page.getByText("Notifications are paused until", { exact: false }).waitFor({ timeout: TIMEOUT });
  await page.getByRole("button", { name: "Resume", exact: true }).click();
  await waitFor(async () => (await settings()).notifications.paused_until === null, "paused_until is null");
  await page.getByText("Notifications resumed.").waitFor({ timeout: TIMEOUT });
  assert.equal(await page.getByText("Notifications are paused until", { exact: false }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a value the engine refuses shows its message and changes nothing", async () => {
  const before = await settings();
  const { page, context } = await openSettings();
  // The form cannot send a bad value, so the engine's 422 is staged for this one request.
  await page.route("**/api/settings", (route) =>
    route.request().method() === "PATCH"
      ? route.fulfill({ status: 422, contentType: "application/json", body: JSON.stringify({ error: "notifications: unknown variant `urgent`" }) })
      : route.continue(),
  );
  const form = page.getByRole("form", { name: "Notifications" });
  await form.getByLabel("Minimum severity", { exact: true }).selectOption("critical");
  await form.getByRole("button", { name: "Save notification settings" }).click();
  await form.getByRole("alert").filter({ hasText: "Could not save: notifications: unknown variant `urgent`" }).waitFor({ timeout: TIMEOUT });
  await form.getByText("You have unsaved changes.").waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await settings(), before);
  await context.close();
});

test("the hint says where notifications show: the desktop app, or not this browser tab", async () => {
  const { page, context } = await openSettings();
  await page.getByText("Notifications are shown by the Hookbell desktop app", { exact: false }).waitFor({ timeout: TIMEOUT });
  // Tauri defines `isTauri` in its webviews before any script of the page runs.
  await context.addInitScript(() => Object.defineProperty(window, "isTauri", { value: true }));
  await page.reload();
  await page.getByRole("form", { name: "Notifications" }).waitFor({ timeout: TIMEOUT });
  await page.getByText("Hookbell shows new alerts as notifications on this computer.").waitFor({ timeout: TIMEOUT });
  await context.close();
});

test("About shows the data directory and the address", async () => {
  const { page, context, problems } = await openSettings();
  const about = page.getByRole("region", { name: "About" });
  await about.getByText(env.daemon.dataDir, { exact: true }).waitFor({ timeout: TIMEOUT });
  await about.getByText(env.daemon.base, { exact: true }).waitFor({ timeout: TIMEOUT });
  await about.getByRole("button", { name: "Copy: Data directory" }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("pairing with a relay that cannot be reached shows the engine's message and stays unpaired", async () => {
  const before = await env.daemon.api("GET", "/api/relay");
  assert.equal(before.status, 200);
  assert.equal(before.body.paired, false);
  const { page, context, problems } = await openSettings();
  const relay = page.getByRole("region", { name: "Relay" });
  await relay.getByText("Off", { exact: true }).waitFor({ timeout: TIMEOUT });
  await relay.getByText("Not paired with a relay.").waitFor({ timeout: TIMEOUT });

  const form = relay.getByRole("form", { name: "Pair with a relay" });
  await form.getByLabel("Relay URL", { exact: true }).fill("http://127.0.0.1:9");
  await form.getByRole("button", { name: "Pair", exact: true }).click();
  // Nothing listens on port 9: the engine answers 502 and the form shows its message.
  const alert = form.getByRole("alert").filter({ hasText: "Could not pair: " });
  await alert.waitFor({ timeout: TIMEOUT });
  assert.ok((await alert.textContent()).trim().length > "Could not pair: ".length, "the engine's message follows");
  await relay.getByText("Not paired with a relay.").waitFor({ timeout: TIMEOUT });
  assert.equal(await form.getByLabel("Relay URL", { exact: true }).inputValue(), "http://127.0.0.1:9", "the URL stays for another try");

  // A relay that could not be paired with is not kept: the relay is off, as before.
  const after = await env.daemon.api("GET", "/api/relay");
  assert.equal(after.body.paired, false);
  assert.equal(after.body.state, "off", JSON.stringify(after.body));
  assert.equal(after.body.url, null);
  // The browser logs the refused request itself; nothing else may go wrong.
  assert.deepEqual(problems.filter((p) => !p.includes("status of 502")), []);
  await context.close();
});

test("screenshots of the settings in light and dark", async () => {
  mkdirSync(screenshots, { recursive: true });
  await env.daemon.api("PATCH", "/api/settings", {
    notifications: {
      enabled: true,
      min_severity: "medium",
      quiet_hours: { enabled: true, start: "22:00", end: "07:00" },
      muted_sources: ["cyscale"],
      paused_until: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    },
    retention_days: 180,
  });
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await openSettings({ colorScheme });
    await page.getByText("Notifications are paused until", { exact: false }).waitFor({ timeout: TIMEOUT });
    await page.getByRole("region", { name: "About" }).getByText(env.daemon.dataDir, { exact: true }).waitFor({ timeout: TIMEOUT });
    // The whole screen in one picture: a window as tall as the page.
    const height = await page.evaluate(() => document.querySelector("main").scrollHeight + document.querySelector("header").offsetHeight);
    await page.setViewportSize({ width: 1280, height });
    await page.screenshot({ path: join(screenshots, `settings-${colorScheme}.png`) });
    await context.close();
  }
});
