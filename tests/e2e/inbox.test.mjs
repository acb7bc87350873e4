// The inbox in real Chromium against the real hookbelld: live updates, provider text kept
// inert, every provider's details, read/done/delete, keyboard, German, and screenshots.

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

test("a delivery appears in the open inbox without a reload", async () => {
  mkdirSync(screenshots, { recursive: true });
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  const title = `Live alert ${Date.now()}`;
  const sent = await env.daemon.deliver("generic", { title, severity: "high", subject: "alex@example.com" });
  assert.equal(sent.status, 200);
  await page.getByText(title).first().waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("provider text with markup is shown as text and never runs", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const title = `<img src=x onerror="window.__pwned=1"> evil ${Date.now()}`;
  await env.daemon.deliver("generic", {
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
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  for (const provider of ["omniac", "enzoic", "osintly", "leakix", "cyscale", "generic"]) {
    const sent = await env.daemon.api("POST", `/api/sources/${provider}/test`);
    assert.equal(sent.status, 200, `${provider}: ${JSON.stringify(sent.body)}`);
    const { body: alert } = await env.daemon.api("GET", `/api/alerts/${sent.body.alerts[0]}`);
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

test("opening marks read and e marks done, in the store", async () => {
  const { page, context } = await openApp(env.chrome.browser, env.daemon);
  const title = `Act on me ${Date.now()}`;
  const sent = await env.daemon.deliver("generic", { title, severity: "medium" });
  const id = sent.body.alerts[0];
  await page.evaluate((alertId) => (window.location.hash = `#/alerts/${alertId}`), id);
  await page.getByRole("heading", { name: title }).first().waitFor({ timeout: TIMEOUT });
  await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).body.read === true, "opening marks it read");
  await page.keyboard.press("e");
  await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).body.done === true, "`e` marks it done");
  await context.close();
});

test("choosing German in settings switches the page to German", async () => {
  await env.daemon.api("PATCH", "/api/settings", { language: "de" });
  const { page, context } = await openApp(env.chrome.browser, env.daemon);
  await waitFor(async () => (await page.evaluate(() => document.documentElement.lang)) === "de", "the page says lang=de");
  await page.screenshot({ path: join(screenshots, "inbox-de.png") });
  await env.daemon.api("PATCH", "/api/settings", { language: "en" });
  await context.close();
});

test("screenshots of the inbox in light and dark", async () => {
  mkdirSync(screenshots, { recursive: true });
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await openApp(env.chrome.browser, env.daemon, { colorScheme });
    await page.getByText("Act on me", { exact: false }).first().waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(screenshots, `inbox-${colorScheme}.png`) });
    await context.close();
  }
});
