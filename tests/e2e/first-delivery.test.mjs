// From "Add source" to the first real alert, as a user in real Chromium against the real
// hookbelld: an Enzoic source added through the form alone (the preset fills Basic auth and
// the "Webhook Key"/"Webhook Secret" labels), its URL taken with the Copy button from the
// clipboard, a delivery signed as Enzoic signs it (HTTP Basic) sent to that URL, the source
// turning connected and the alert appearing; then a wrong secret, shown as a reason the user
// can act on and never as the secret itself.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, TIMEOUT, useApp, waitFor } from "./harness.mjs";

const KEY = "wh-key-7f3a";
const SECRET = "wh-secret-Qx81-never-shown";
const WRONG = "wh-wrong-Zz90-never-shown";
const SHOTS = process.env.SCREENSHOT_DIR ?? "/tmp";

const env = useApp();

const breach = {
  username: "first.user@example.com",
  usernameHash: "b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2",
  date: "2024-03-05T09:12:44Z",
  exposureID: "66aa00first0delivery01",
  passwordHash: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
  passwordType: 8,
  exposureDetails: { title: "FirstForum", date: "2023-11-30T00:00:00Z", entries: 1000, category: "Forum" },
};

function basic(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

test("an Enzoic source added in the UI proves itself with its first delivery and explains a refusal", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.daemon.base });
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  await page.evaluate(() => (window.location.hash = "#/sources"));
  await page.getByRole("heading", { name: "Sources", exact: true }).waitFor({ timeout: TIMEOUT });

  // The form: choosing Enzoic fills Basic auth with Enzoic's own words and a name.
  await page.getByRole("button", { name: "Add source", exact: true }).click();
  const form = page.getByRole("form", { name: "New source" });
  await form.waitFor({ timeout: TIMEOUT });
  await form.getByLabel("Provider", { exact: true }).selectOption("enzoic");
  assert.equal(await form.getByLabel("Authentication scheme", { exact: true }).inputValue(), "basic");
  assert.equal(await form.getByLabel("Display name", { exact: true }).inputValue(), "Enzoic Breach Monitoring");
  const id = await form.getByLabel("ID", { exact: true }).inputValue();
  assert.match(id, /^enzoic-\d+$/, "the fixture's enzoic id is taken, so a numbered one is offered");
  await form.getByLabel("Webhook Key", { exact: true }).fill(KEY);
  await form.getByLabel("Webhook Secret", { exact: true }).fill(SECRET);
  await page.screenshot({ path: `${SHOTS}/hookbell-add-enzoic.png`, fullPage: true });
  await form.getByRole("button", { name: "Save source" }).click();
  await form.waitFor({ state: "detached", timeout: TIMEOUT });

  // The new source waits for its first delivery, says its URL is this computer's only, and
  // leads to a relay; the steps are Enzoic's.
  const card = page.getByRole("region", { name: "Enzoic Breach Monitoring" });
  await card.getByText("Waiting for the first delivery").waitFor({ timeout: TIMEOUT });
  await card.getByText("Reachable from this computer only").waitFor({ timeout: TIMEOUT });
  await card.getByRole("link", { name: "Pair a relay in Settings" }).waitFor({ timeout: TIMEOUT });
  await card.getByText("smee.io sees every delivery in clear", { exact: false }).waitFor({ timeout: TIMEOUT });
  await card.getByText("Webhook Key and a Webhook Secret", { exact: false }).waitFor({ timeout: TIMEOUT });
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/hookbell-sources-waiting.png`, fullPage: true });

  // The URL, as the user takes it: the Copy button, then the clipboard.
  await card.getByRole("button", { name: "Copy: Webhook URL" }).click();
  await card.getByRole("button", { name: "Copy: Webhook URL" }).filter({ hasText: "Copied" }).waitFor({ timeout: TIMEOUT });
  const url = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(url, `${env.daemon.base}/hooks/${id}`);

  // A delivery signed as Enzoic signs it.
  const ok = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(KEY, SECRET) },
    body: JSON.stringify(breach),
  });
  assert.equal(ok.status, 200, await ok.text());
  await card.getByText("Connected", { exact: true }).waitFor({ timeout: TIMEOUT });
  const alerts = await env.daemon.api("GET", `/api/alerts?source=${id}`);
  assert.equal(alerts.body.alerts.length, 1);
  const title = alerts.body.alerts[0].title;
  assert.match(title, /FirstForum/);
  await page.screenshot({ path: `${SHOTS}/hookbell-sources-connected.png`, fullPage: true });

  // The same with a wrong secret: refused, and the card says why in words to act on.
  const bad = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(KEY, WRONG) },
    body: JSON.stringify({ ...breach, exposureID: "66aa00first0delivery02" }),
  });
  assert.equal(bad.status, 401);
  await card.getByText("Deliveries are being refused").waitFor({ timeout: TIMEOUT });
  await card.getByText("the user name and password do not match", { exact: false }).waitFor({ timeout: TIMEOUT });
  await page.screenshot({ path: `${SHOTS}/hookbell-sources-refused.png`, fullPage: true });
  const text = (await page.locator("body").textContent()) ?? "";
  for (const secret of [SECRET, WRONG]) assert.ok(!text.includes(secret), "no secret on the page");
  const sources = JSON.stringify((await env.daemon.api("GET", "/api/sources")).body);
  for (const secret of [SECRET, WRONG]) assert.ok(!sources.includes(secret), "no secret in the sources API");

  // The alert is in the inbox.
  await page.evaluate(() => (window.location.hash = "#/"));
  await page.getByText(title, { exact: true }).first().waitFor({ timeout: TIMEOUT });
  await waitFor(async () => (await env.daemon.api("GET", "/api/stats")).body.total >= 1, "the alert is counted");

  assert.deepEqual(problems, []);
  await context.close();
});
