// The Sources screen in real Chromium against the real hookbelld: adding, editing and deleting
// a source through the form, and the env.daemon's refusal of a duplicate shown next to the form.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, TIMEOUT, useApp, waitFor } from "./harness.mjs";

const TOKEN = "acme-token-123456";

const env = useApp();

test("a source is added, edited, refused as a duplicate and deleted through the form", async () => {
  const { page, context, problems } = await openApp(env.chrome.browser, env.daemon);
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  await page.evaluate(() => (window.location.hash = "#/sources"));
  await page.getByRole("heading", { name: "Generic sender" }).waitFor({ timeout: TIMEOUT });

  // Add.
  const addButton = page.getByRole("button", { name: "Add source", exact: true });
  await addButton.click();
  let form = page.getByRole("form", { name: "New source" });
  await form.waitFor({ timeout: TIMEOUT });
  await form.getByLabel("ID", { exact: true }).fill("acme");
  await form.getByLabel("Provider", { exact: true }).selectOption("generic");
  await form.getByLabel("Display name", { exact: true }).fill("Acme Corp");
  await form.getByLabel("Authentication scheme", { exact: true }).selectOption("bearer");
  const token = form.getByLabel("Token", { exact: true });
  await token.fill(TOKEN);
  assert.equal(await token.getAttribute("type"), "password", "the token is hidden by default");
  await form.getByRole("button", { name: "Show", exact: true }).click();
  assert.equal(await token.getAttribute("type"), "text", "Show reveals the token");
  await form.getByRole("button", { name: "Save source" }).click();
  await form.waitFor({ state: "detached", timeout: TIMEOUT });
  await page.getByRole("heading", { name: "Acme Corp" }).waitFor({ timeout: TIMEOUT });

  const created = await env.daemon.api("GET", "/api/sources/acme?reveal=true");
  assert.equal(created.status, 200);
  assert.equal(created.body.provider, "generic");
  assert.equal(created.body.auth.scheme, "bearer");
  assert.equal(created.body.auth.token, TOKEN);

  // Edit: the form comes filled from the env.daemon, the ID read-only.
  const acme = page.getByRole("region", { name: "Acme Corp" });
  await acme.getByRole("button", { name: "Edit", exact: true }).click();
  form = page.getByRole("form", { name: "Edit “Acme Corp”" });
  await form.waitFor({ timeout: TIMEOUT });
  const id = form.getByLabel("ID", { exact: true });
  assert.equal(await id.inputValue(), "acme");
  assert.equal(await id.getAttribute("readonly"), "");
  assert.equal(await form.getByLabel("Token", { exact: true }).inputValue(), TOKEN);
  await form.getByLabel("Display name", { exact: true }).fill("Acme Renamed");
  await form.getByRole("button", { name: "Save source" }).click();
  await form.waitFor({ state: "detached", timeout: TIMEOUT });
  await page.getByRole("heading", { name: "Acme Renamed" }).waitFor({ timeout: TIMEOUT });
  const edited = await env.daemon.api("GET", "/api/sources/acme?reveal=true");
  assert.equal(edited.body.name, "Acme Renamed");
  assert.equal(edited.body.auth.token, TOKEN, "editing the name keeps the token");

  // The same ID again: the env.daemon's error shows next to the form, which stays open.
  await addButton.click();
  form = page.getByRole("form", { name: "New source" });
  await form.waitFor({ timeout: TIMEOUT });
  await form.getByLabel("ID", { exact: true }).fill("acme");
  await form.getByLabel("Provider", { exact: true }).selectOption("generic");
  await form.getByLabel("Display name", { exact: true }).fill("Acme again");
  await form.getByRole("button", { name: "Save source" }).click();
  const alert = form.getByRole("alert");
  await alert.waitFor({ timeout: TIMEOUT });
  const message = (await alert.textContent()) ?? "";
  assert.match(message, /Could not save: \S/, `form error: ${message}`);
  assert.equal((await env.daemon.api("GET", "/api/sources/acme")).body.name, "Acme Renamed");
  await form.getByRole("button", { name: "Cancel", exact: true }).click();
  await form.waitFor({ state: "detached", timeout: TIMEOUT });

  // Delete, with the inline confirmation.
  const renamed = page.getByRole("region", { name: "Acme Renamed" });
  await renamed.getByRole("button", { name: "Delete", exact: true }).click();
  await renamed.getByRole("alert").getByText("Delete the source", { exact: false }).waitFor({ timeout: TIMEOUT });
  await renamed.getByRole("alert").getByRole("button", { name: "Delete", exact: true }).click();
  await renamed.waitFor({ state: "detached", timeout: TIMEOUT });
  await page.getByText("Source “Acme Renamed” deleted.").waitFor({ timeout: TIMEOUT });
  assert.equal((await env.daemon.api("GET", "/api/sources/acme")).status, 404);

  // The refused duplicate is the only failed request the browser may report.
  const unexpected = problems.filter((p) => !/Failed to load resource: .*\b409\b/.test(p));
  assert.deepEqual(unexpected, []);
  await context.close();
});
