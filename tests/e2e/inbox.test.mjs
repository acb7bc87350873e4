// The inbox in real Chromium against the real hookbelld: live updates, provider text kept
// inert, every provider's details, read/done/delete, keyboard, German, and screenshots.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, openApp, startDaemon } from "./harness.mjs";

// Screenshots go to tests/e2e/artifacts (not kept); to refresh the ones in the docs:
// SCREENSHOTS_DIR=../../docs/screenshots make e2e
const screenshots = process.env.SCREENSHOTS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const TIMEOUT = 10_000;

let daemon;
let chrome;

before(async () => {
  daemon = await startDaemon();
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await daemon?.stop();
});

test("a delivery appears in the open inbox without a reload", async () => {
  mkdirSync(screenshots, { recursive: true });
  const { page, context, problems } = await openApp(chrome.browser, daemon);
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  const title = `Live alert ${Date.now()}`;
  const sent = await daemon.deliver("generic", { title, severity: "high", subject: "alex@example.com" });
  assert.equal(sent.status, 200);
  await page.getByText(title).first().waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("provider text with markup is shown as text and never runs", async () => {
  const { page, context, problems } = await openApp(chrome.browser, daemon);
  const title = `<img src=x onerror="window.__pwned=1"> evil ${Date.now()}`;
  await daemon.deliver("generic", {
    title,
    message: "<script>window.__pwned=2</script><b>bold?</b>",
    severity: "critical",
  });
  await page.getByText(title).first().waitFor({ timeout: TIMEOUT });
  await page.getByText(title).first().click();
  await page.getByText("<script>window.__pwned=2</script>", { exact: false }).first().waitFor({ timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "injected code ran");
  assert.equal(await page.locator('img[src="x"]').count(), 0, "an injected element was created");
  assert.equal(await page.locator("b", { hasText: "bold?" }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("each provider's sample opens with its recommendation", async () => {
  const { page, context, problems } = await openApp(chrome.browser, daemon);
  for (const provider of ["omniac", "enzoic", "osintly", "leakix", "cyscale", "generic"]) {
    const sent = await daemon.api("POST", `/api/sources/${provider}/test`);
    assert.equal(sent.status, 200, `${provider}: ${JSON.stringify(sent.body)}`);
    const { body: alert } = await daemon.api("GET", `/api/alerts/${sent.body.alerts[0]}`);
    await page.evaluate((id) => (window.location.hash = `#/alerts/${id}`), alert.id);
    await page.getByRole("heading", { name: alert.title }).first().waitFor({ timeout: TIMEOUT });
    if (alert.recommendation) {
      const start = alert.recommendation.slice(0, 40);
      await page.getByText(start, { exact: false }).first().waitFor({ timeout: TIMEOUT });
    }
    await page.screenshot({ path: join(screenshots, `details-${provider}.png`) });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("read, done and delete from the details view change the store", async () => {
  const { page, context } = await openApp(chrome.browser, daemon);
  const title = `Act on me ${Date.now()}`;
  const sent = await daemon.deliver("generic", { title, severity: "medium" });
  const id = sent.body.alerts[0];
  await page.evaluate((alertId) => (window.location.hash = `#/alerts/${alertId}`), id);
  await page.getByRole("heading", { name: title }).first().waitFor({ timeout: TIMEOUT });
  await waitFor(async () => (await daemon.api("GET", `/api/alerts/${id}`)).body.read === true, "opening marks it read");
  await page.keyboard.press("e");
  await waitFor(async () => (await daemon.api("GET", `/api/alerts/${id}`)).body.done === true, "`e` marks it done");
  await context.close();
});

test("German is chosen in settings and used everywhere", async () => {
  await daemon.api("PATCH", "/api/settings", { language: "de" });
  const { page, context } = await openApp(chrome.browser, daemon);
  await waitFor(async () => (await page.evaluate(() => document.documentElement.lang)) === "de", "the page says lang=de");
  await page.screenshot({ path: join(screenshots, "inbox-de.png") });
  await daemon.api("PATCH", "/api/settings", { language: "en" });
  await context.close();
});

test("screenshots of the inbox in light and dark", async () => {
  mkdirSync(screenshots, { recursive: true });
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await openApp(chrome.browser, daemon, { colorScheme });
    await page.getByText("Act on me", { exact: false }).first().waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(screenshots, `inbox-${colorScheme}.png`) });
    await context.close();
  }
});

/** Polls `check` until it holds, failing after 10 s with `what`. */
async function waitFor(check, what) {
  const until = Date.now() + TIMEOUT;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}
