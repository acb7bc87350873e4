// The desktop app as a person meets it: started in the tray only (as at login: no window, no
// web view), a webhook delivery arrives, a native notification says what happened, a click on
// it opens the window on that alert, "Mark as read" on another marks it read without opening
// anything, and a provider's retry of a delivery never notifies twice. (Closing the window and
// opening it again: window.test.mjs.)
// Run: see harness.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fragment, genericAlert, startApp, startFakeNotifications, waitFor } from "./harness.mjs";

/** The action keys of a notification (the spec's actions list alternates key and label). */
const actionKeys = (n) => n.actions.filter((_, i) => i % 2 === 0);

let fake;
let app;
/** The delivery the first test posts, and its alert (which it opens). */
let first;

before(async () => {
  fake = await startFakeNotifications();
  app = await startApp({ name: "notify", args: ["--minimized"] });
});

after(async () => {
  await app?.stop();
  await fake?.stop();
});

test("a delivery notifies with severity, title, subject and urgency; a click shows the window on that alert", async () => {
  assert.equal(await app.isWindowVisible(), false, `started with --minimized, the window must be hidden: ${JSON.stringify(app.lastWindows)}`);
  assert.deepEqual(app.webProcesses(), [], "started with --minimized, there is no web view (no WebKitWebProcess)");

  const payload = genericAlert({ severity: "high", subject: "alex@example.com" });
  const sent = await app.postDelivery(payload);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.duplicate, false);
  assert.ok(sent.alertId, JSON.stringify(sent.body));

  const n = await fake.waitForNotification((x) => x.summary.includes(payload.title), "a notification with the alert's title");
  assert.equal(n.app_name, "Hookbell");
  assert.match(n.summary, /^High · /, "the summary starts with the severity");
  assert.ok(n.body.includes(payload.subject), `the body names the subject: ${JSON.stringify(n.body)}`);
  assert.equal(n.urgency, 1, "high is normal urgency");
  for (const key of ["default", "read"]) assert.ok(actionKeys(n).includes(key), `action ${key} in ${JSON.stringify(n.actions)}`);
  assert.ok(n.app_icon !== "" || n.hints.some((h) => /image/.test(h)), `the notification carries the app's icon: ${JSON.stringify(n)}`);

  const clickedAt = Date.now();
  await fake.invoke(n.id, "default");
  await waitFor(() => app.isWindowVisible(), () => `the window is shown after the click; X windows: ${JSON.stringify(app.lastWindows)}`);
  let url = "";
  await waitFor(
    async () => fragment((url = await app.currentUrl())) === `#/alerts/${sent.alertId}`,
    () => `the window shows #/alerts/${sent.alertId} (URL now ${url})`,
  );
  await waitFor(
    async () => (await app.execute("return document.body.innerText")).includes(payload.title),
    "the alert's title is on the page",
  );
  const shots = await app.screenshot("notification-click");
  assert.ok(shots.length >= 1);
  console.log(`# window built by a notification click, first web view of the run: ${await app.firstRender(clickedAt, payload.title)} ms to first render`);
  first = { payload, sent };
});

test('"Mark as read" on a notification marks the alert read', async () => {
  const payload = genericAlert({ severity: "low", subject: "backup@example.com" });
  const sent = await app.postDelivery(payload);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));

  const n = await fake.waitForNotification((x) => x.summary.includes(payload.title), "a notification with the alert's title");
  assert.match(n.summary, /^Low · /);
  assert.equal(n.urgency, 0, "low is low urgency");
  assert.equal((await app.alert(sent.alertId)).read, false, "unread before the action");

  await fake.invoke(n.id, "read");
  await waitFor(async () => (await app.alert(sent.alertId)).read === true, "the alert is read");
  if (first) {
    assert.equal(fragment(await app.currentUrl()), `#/alerts/${first.sent.alertId}`, '"Mark as read" does not navigate the window');
  }
});

test("the same delivery posted twice notifies once", async () => {
  // The first test's delivery again, byte for byte with the same webhook-id: a provider's retry.
  first ??= await (async () => {
    const payload = genericAlert({ severity: "high" });
    const sent = await app.postDelivery(payload);
    await fake.waitForNotification((x) => x.summary.includes(payload.title), "the first notification");
    return { payload, sent };
  })();
  const again = await app.postDelivery(first.payload, { msgId: first.sent.msgId });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.duplicate, true, JSON.stringify(again.body));
  assert.equal(again.alertId, first.sent.alertId);
  // A later delivery's notification: the repeat, posted before it, would have shown by now.
  const later = genericAlert({ severity: "medium" });
  await app.postDelivery(later);
  const n = await fake.waitForNotification((x) => x.summary.includes(later.title), "the later delivery's notification");
  assert.match(n.summary, /^Medium · /);
  assert.equal(n.urgency, 1, "medium is normal urgency");
  const repeats = fake.notifications().filter((x) => x.summary.includes(first.payload.title));
  assert.equal(repeats.length, 1, `one notification for the delivery and its retry: ${JSON.stringify(repeats)}`);
});
