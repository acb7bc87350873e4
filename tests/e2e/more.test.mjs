// More of the web UI in real Chromium against the real hookbelld: opening an alert from the
// keyboard, bulk actions on a search result, the quarantine view of an unreadable body, and
// r/e on an open alert that no list row shows.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, TIMEOUT, useApp, waitFor } from "./harness.mjs";


const env = useApp();

test("j then Enter opens an alert from the keyboard", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const marker = `kbd${Date.now()}`;
  const alerts = new Map();
  for (const n of [1, 2, 3]) {
    const title = `Keyboard ${marker} ${n}`;
    const sent = await env.daemon.deliver("generic", { title, severity: "medium" });
    assert.equal(sent.status, 200);
    alerts.set(sent.body.alerts[0], title);
  }
  const list = page.getByRole("list", { name: "Alerts" });
  await list.getByRole("link", { name: new RegExp(`Keyboard ${marker} 3`) }).waitFor({ timeout: TIMEOUT });
  await list.getByRole("link").first().focus();
  await page.keyboard.press("j");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.location.hash.startsWith("#/alerts/"), null, { timeout: TIMEOUT });
  const hash = await page.evaluate(() => window.location.hash);
  const id = decodeURIComponent(hash.slice("#/alerts/".length));
  assert.ok(alerts.has(id), `${hash} is not one of the delivered alerts`);
  await page.getByRole("heading", { name: alerts.get(id) }).first().waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("select all on a search result and mark done", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const marker = `bulk${Date.now()}`;
  const ids = [];
  for (const n of [1, 2, 3]) {
    const sent = await env.daemon.deliver("generic", { title: `Bulk ${marker} ${n}`, severity: "low" });
    assert.equal(sent.status, 200);
    ids.push(sent.body.alerts[0]);
  }
  await page.getByRole("searchbox", { name: "Search" }).fill(marker);
  const list = page.getByRole("list", { name: "Alerts" });
  await page.getByText("3 alerts", { exact: true }).waitFor({ timeout: TIMEOUT });
  await waitFor(async () => (await list.getByRole("link").count()) === 3, "the search shows just the three alerts");
  await page.getByRole("checkbox", { name: "Select all loaded" }).check({ timeout: TIMEOUT });
  for (const n of [1, 2, 3]) {
    assert.equal(await list.getByRole("checkbox", { name: `Select “Bulk ${marker} ${n}”` }).isChecked(), true);
  }
  const bar = page.getByRole("group", { name: "Bulk actions" });
  await bar.getByText("3 selected").waitFor({ timeout: TIMEOUT });
  await bar.getByRole("button", { name: "Mark done" }).click({ timeout: TIMEOUT });
  for (const id of ids) {
    await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).body.done === true, `${id} is done`);
  }
  await bar.waitFor({ state: "hidden", timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("x selects the focused row and delete asks first", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const marker = `del${Date.now()}`;
  const ids = [];
  for (const n of [1, 2]) {
    const sent = await env.daemon.deliver("generic", { title: `Delete ${marker} ${n}`, severity: "info" });
    ids.push(sent.body.alerts[0]);
  }
  await page.getByRole("searchbox", { name: "Search" }).fill(marker);
  const list = page.getByRole("list", { name: "Alerts" });
  await waitFor(async () => (await list.getByRole("link").count()) === 2, "the search shows just the two alerts");
  await list.getByRole("link").first().focus();
  await page.keyboard.press("x");
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  const bar = page.getByRole("group", { name: "Bulk actions" });
  await bar.getByText("2 selected").waitFor({ timeout: TIMEOUT });
  await bar.getByRole("button", { name: "Delete" }).click();
  await bar.getByText("Delete 2 selected alerts?", { exact: false }).waitFor({ timeout: TIMEOUT });
  for (const id of ids) assert.equal((await env.daemon.api("GET", `/api/alerts/${id}`)).status, 200, "nothing deleted before confirming");
  await bar.getByRole("button", { name: "Yes, delete" }).click();
  for (const id of ids) {
    await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).status === 404, `${id} is deleted`);
  }
  await bar.waitFor({ state: "hidden", timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a body that is not JSON shows in quarantine with its raw text", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const response = await fetch(`${env.daemon.base}/hooks/generic`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "not json {",
  });
  assert.ok(response.status >= 200 && response.status < 500, `unexpected status ${response.status}`);
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  await page.evaluate(() => (window.location.hash = "#/quarantine"));
  await page.getByRole("heading", { name: "Quarantine" }).first().waitFor({ timeout: TIMEOUT });
  await page.getByText("not valid JSON", { exact: false }).first().waitFor({ timeout: TIMEOUT });
  await page.getByText("Raw body", { exact: true }).first().click({ timeout: TIMEOUT });
  await page.getByText("not json {", { exact: true }).first().waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});

test("e marks the open alert done even when the list does not show it", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  const title = `Hidden by the search ${Date.now()}`;
  const sent = await env.daemon.deliver("generic", { title, severity: "low" });
  const id = sent.body.alerts[0];
  // A search that matches nothing: the alert, opened by its address, is in no list row.
  await page.getByRole("searchbox", { name: "Search" }).fill(`nothing-${Date.now()}`);
  await page.getByText("Nothing matches these filters").waitFor({ timeout: TIMEOUT });
  await page.evaluate((alertId) => (window.location.hash = `#/alerts/${alertId}`), id);
  await page.getByRole("heading", { name: title }).first().waitFor({ timeout: TIMEOUT });
  await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).body.read === true, "opening marks it read");
  await page.keyboard.press("e");
  await waitFor(async () => (await env.daemon.api("GET", `/api/alerts/${id}`)).body.done === true, "`e` marks it done");
  await page.getByRole("button", { name: "Not done" }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(problems, []);
  await context.close();
});
