// A burst (a Cyscale-sized batch of 40 alerts in a moment) folds into one summary
// notification instead of 40, and a click on the summary shows the inbox.
// Run: see harness.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fragment, genericAlert, startApp, startFakeNotifications, waitFor } from "./harness.mjs";

let fake;
let app;

before(async () => {
  fake = await startFakeNotifications();
  app = await startApp({ name: "burst" });
});

after(async () => {
  await app?.stop();
  await fake?.stop();
});

/** True when the URL's fragment is the inbox list (no alert open, not another screen). */
function isInbox(url) {
  const path = fragment(url).replace(/^#/, "").split("?")[0];
  return fragment(url).startsWith("#/") && path.split("/").filter(Boolean).length === 0;
}

test("started without --minimized, the window is shown", async () => {
  await waitFor(() => app.isWindowVisible(), () => `the window is shown at start; X windows: ${JSON.stringify(app.lastWindows)}`);
});

test("40 deliveries at once give a few notifications, one a summary of all 40, whose click shows the inbox", async () => {
  // Leave the inbox, so that the click has somewhere to take the window back to.
  await app.execute('location.hash = "#/settings"');
  await waitFor(async () => fragment(await app.currentUrl()) === "#/settings", "the window is on #/settings");

  const payloads = Array.from({ length: 40 }, (_, i) =>
    genericAlert({ severity: i < 3 ? "high" : "medium", title: `Storage bucket open to the internet (${i + 1})` }),
  );
  const sent = await Promise.all(payloads.map((p) => app.postDelivery(p)));
  for (const s of sent) assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(new Set(sent.map((s) => s.alertId)).size, 40);

  const summary = await fake.waitForNotification(
    (n) => !payloads.some((p) => n.summary.includes(p.title)) && /\b40\b/.test(`${n.summary}\n${n.body}`),
    "a summary notification that counts 40",
  );
  const all = fake.notifications();
  assert.ok(all.length <= 4, `at most a few notifications for a burst, got ${all.length}: ${JSON.stringify(all.map((n) => n.summary))}`);
  assert.ok(summary.actions.includes("default"), JSON.stringify(summary.actions));

  await fake.invoke(summary.id, "default");
  let url = "";
  await waitFor(async () => isInbox((url = await app.currentUrl())), () => `the window shows the inbox (URL now ${url})`);
  await waitFor(() => app.isWindowVisible(), "the window is shown");
  // The inbox list is on screen, with the burst's alerts in it.
  let text = "";
  await waitFor(
    async () => {
      text = await app.execute("return document.body.innerText");
      return payloads.some((p) => text.includes(p.title));
    },
    () => `the inbox lists the burst's alerts; the page says: ${text.slice(0, 300)}`,
  );
  await app.screenshot("burst-summary-click");
});
