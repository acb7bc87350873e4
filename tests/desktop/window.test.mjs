// Hookbell owns a web view only while its window is shown, and only in the window's own
// process (`hookbell-window`): the app's process never maps WebKit. Started in the tray only
// (as at login) it has no window process; a notification click starts it on that alert;
// closing the window ends that process (and WebKit's under it) while deliveries and
// notifications go on; a second launch builds it again on the route it was on, and a click on
// a later notification builds it on that alert. Each opening is timed from the user's request
// to the page's first render. (The tray's "Show" takes the same path as a second launch,
// `Windows::show`; Linux trays cannot be clicked from here.)
// Run: see harness.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { comm, fragment, genericAlert, startApp, startFakeNotifications, waitFor } from "./harness.mjs";

let fake;
let app;
/** The first alert, on which the window was when it was closed. */
let first;

before(async () => {
  fake = await startFakeNotifications();
  app = await startApp({ name: "window", args: ["--minimized"] });
});

after(async () => {
  await app?.stop();
  await fake?.stop();
});

async function shownOn(route, what) {
  await waitFor(() => app.isWindowVisible(), () => `the window is shown after ${what}; X windows: ${JSON.stringify(app.lastWindows)}`);
  let url = "";
  await waitFor(
    async () => fragment((url = await app.currentUrl())) === route,
    () => `after ${what} the window shows ${route} (URL now ${url})`,
  );
}

async function closeAndWait() {
  await app.closeWindow();
  await waitFor(async () => (app.lastWindows = await app.xWindows()).length === 0, () => `the window is gone; X windows: ${JSON.stringify(app.lastWindows)}`);
  await waitFor(() => app.windowPid() === undefined, "the window process has ended");
  await waitFor(() => app.webProcesses().length === 0, "the web view's WebKitWebProcess has ended");
  assert.deepEqual(
    app.processes().map((pid) => comm(pid)),
    ["hookbell"],
    "with the window closed only the app's own process is left (no WebKit network process either)",
  );
}

/** Posts an alert and waits for its notification. */
async function notified(payload) {
  const sent = await app.postDelivery(payload);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const n = await fake.waitForNotification((x) => x.summary.includes(payload.title), `a notification for "${payload.title}"`);
  return { sent, n };
}

test("started in the tray only there is no window and no web view; a click builds it on the alert", async () => {
  assert.equal(await app.isWindowVisible(), false, `no window: ${JSON.stringify(app.lastWindows)}`);
  assert.deepEqual(app.webProcesses(), [], "no WebKitWebProcess in the tray only");
  assert.equal(app.windowPid(), undefined, "no window process in the tray only");
  const payload = genericAlert({ severity: "high" });
  const { sent, n } = await notified(payload);
  const clickedAt = Date.now();
  await fake.invoke(n.id, "default");
  await shownOn(`#/alerts/${sent.alertId}`, "a click");
  console.log(`# window built by a notification click (first web view of this run): ${await app.firstRender(clickedAt, payload.title)} ms to first render`);
  assert.equal(app.mapsWebKit(), false, "the app's own process maps no WebKit, even with the window open");
  first = { payload, sent };
});

test("closing the window ends its web view; a second launch builds it again on the route it was on", async () => {
  assert.ok(first, "the first test opened the window");
  await closeAndWait();
  const launchedAt = await app.launchAgain();
  await shownOn(`#/alerts/${first.sent.alertId}`, "a second launch");
  console.log(`# window built again by a second launch: ${await app.firstRender(launchedAt, first.payload.title)} ms to first render`);
  assert.equal(app.mapsWebKit(), false, "the app's own process maps no WebKit");
  await app.screenshot("second-launch");
});

test("with the window closed, a notification click builds it on that alert", async () => {
  await closeAndWait();
  const payload = genericAlert({ severity: "critical" });
  const { sent, n } = await notified(payload);
  const clickedAt = Date.now();
  await fake.invoke(n.id, "default");
  await shownOn(`#/alerts/${sent.alertId}`, "a click with the window closed");
  console.log(`# window built again by a notification click: ${await app.firstRender(clickedAt, payload.title)} ms to first render`);
});
