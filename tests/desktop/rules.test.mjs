// The user's notification rules against the real app: a muted source stays silent, alerts
// below the minimum severity stay silent, and quiet hours silence everything but critical
// alerts. Settings change through PATCH /api/settings, as the Settings screen does.
//
// Silence is proven, not waited for: the app notifies in the order alerts arrive, so once the
// notification for an alert posted later is seen, a silenced one posted before it would
// already have shown. (Each app allows three single notifications per burst before it folds
// the rest into a summary, so this file makes exactly three.)
// Run: see harness.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { genericAlert, localHhMm, startApp, startFakeNotifications } from "./harness.mjs";

let fake;
let app;
/** Titles of the alerts that must have notified, in order. */
const expected = [];

before(async () => {
  fake = await startFakeNotifications();
  app = await startApp({ name: "rules", args: ["--minimized"] });
  // A second, open source: it stays unmuted while `test` is muted.
  const { status, body } = await app.api("POST", "/api/sources", {
    id: "probe",
    provider: "generic",
    name: "Probe",
    auth: { scheme: "none" },
  });
  assert.equal(status, 201, JSON.stringify(body));
});

after(async () => {
  await app?.stop();
  await fake?.stop();
});

async function post(payload, options) {
  const sent = await app.postDelivery(payload, options);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return sent;
}

/** Waits for the notification of `payload`, which must be the next one. */
async function expectNotified(payload) {
  expected.push(payload.title);
  const n = await fake.waitForNotification((x) => x.summary.includes(payload.title), `a notification for "${payload.title}"`);
  return n;
}

/** Asserts that `payload` gave no notification. */
function assertSilent(payload, why) {
  const found = fake.notifications().filter((n) => n.summary.includes(payload.title));
  assert.deepEqual(found, [], `${why}: "${payload.title}" must not notify`);
}

test("a muted source does not notify; another source still does", async () => {
  await app.settings({ notifications: { muted_sources: ["test"] } });
  const muted = genericAlert({ severity: "high" });
  await post(muted);
  const other = genericAlert({ severity: "high" });
  await post(other, { source: "probe" });
  await expectNotified(other);
  assertSilent(muted, "its source is muted");
});

test("below the minimum severity nothing notifies; a critical alert does, at critical urgency", async () => {
  await app.settings({ notifications: { muted_sources: [], min_severity: "high" } });
  const low = genericAlert({ severity: "low" });
  await post(low);
  const critical = genericAlert({ severity: "critical" });
  await post(critical);
  const n = await expectNotified(critical);
  assert.match(n.summary, /^Critical · /);
  assert.equal(n.urgency, 2, "critical is critical urgency");
  assertSilent(low, "low is below the minimum (high)");
});

test("quiet hours silence a high alert but not a critical one", async () => {
  const quiet = { enabled: true, start: localHhMm(-60), end: localHhMm(60) };
  await app.settings({ notifications: { min_severity: "info", quiet_hours: quiet } });
  const high = genericAlert({ severity: "high" });
  await post(high);
  const critical = genericAlert({ severity: "critical" });
  await post(critical);
  await expectNotified(critical);
  assertSilent(high, `quiet hours ${quiet.start}–${quiet.end} cover now`);
});

test("nothing else notified: one notification per expected alert, in order", () => {
  const summaries = fake.notifications().map((n) => n.summary);
  assert.equal(summaries.length, expected.length, JSON.stringify(summaries));
  expected.forEach((title, i) => assert.ok(summaries[i].includes(title), `#${i}: ${summaries[i]} should name ${title}`));
});
