// "Nothing forges an alert", in real Chromium against the real hookbelld: a web page on another
// origin tries to plant an alert through a source with `auth = none` (a no-cors fetch, a form
// auto-submitted as text/plain, a beacon). hookbelld refuses each with 403 because the browser
// marks it (Origin, Sec-Fetch-*) and stores nothing; the same body POSTed by a program is stored,
// so the test can tell. Also: the Sources screen warns on that open source and not on a signed one.

import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import { openApp, TIMEOUT, useApp, waitFor } from "./harness.mjs";

const env = useApp();

/** The attacker's page: it fires three requests at `target` and writes into #done which ones
 * settled (the fetch promise, the form's load in the iframe, the beacon queued). */
function attackerPage(target) {
  const url = JSON.stringify(target);
  // A text/plain form body is `name=value`; the name and value are split so the body is JSON.
  const name = '{"title":"forged by a form","pad":"';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Totally harmless page</title></head>
<body>
<p id="done"></p>
<iframe name="sink" id="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink" action=${JSON.stringify(target)}>
  <input type="hidden" name='${name}' value='"}'>
</form>
<script>
  const done = document.getElementById("done");
  const mark = (what) => { done.textContent += what + " "; };
  fetch(${url}, { method: "POST", mode: "no-cors", body: JSON.stringify({ title: "forged by fetch" }) })
    .then(() => mark("fetch"), () => mark("fetch"));
  document.getElementById("sink").addEventListener("load", () => mark("form"), { once: true });
  document.getElementById("f").submit();
  if (navigator.sendBeacon(${url}, JSON.stringify({ title: "forged by a beacon" }))) mark("beacon-queued");
</script>
</body></html>`;
}

let attacker;
let attackerBase;

before(async () => {
  attacker = createServer((request, response) => {
    // The hooks URL is only known once the daemon runs, so the page takes it from the query.
    const target = new URL(request.url, "http://x").searchParams.get("target") ?? "";
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(attackerPage(target));
  });
  await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  // `localhost` rather than 127.0.0.1: another site, not only another origin, as a real
  // attacker's page would be.
  attackerBase = `http://localhost:${attacker.address().port}`;
});

after(async () => {
  await new Promise((resolve) => attacker?.close(resolve) ?? resolve());
});

/** POSTs `body` the way a provider's server does: node:http, so no header but those given (Node's
 * fetch would add `Sec-Fetch-Mode: cors`, a browser's mark). */
function postAsServer(url, body) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

async function storedNothing(daemon) {
  const stats = await daemon.api("GET", "/api/stats");
  assert.equal(stats.status, 200);
  assert.equal(stats.body.total, 0, `no alert may exist: ${JSON.stringify(stats.body)}`);
  const deliveries = await daemon.api("GET", "/api/deliveries");
  assert.equal(deliveries.status, 200);
  assert.deepEqual(deliveries.body.deliveries, [], "no delivery may be stored");
  const alerts = await daemon.api("GET", "/api/alerts");
  assert.equal(alerts.status, 200);
  assert.deepEqual(alerts.body.alerts, [], "no alert may be listed");
}

test("a page on another site cannot plant an alert through a source with auth none", async () => {
  const daemon = env.daemon;
  const sources = await daemon.api("GET", "/api/sources");
  const open = sources.body.sources.find((s) => s.id === "generic");
  assert.equal(open?.auth_scheme, "none", "the fixture's generic source takes anything");
  const target = `${daemon.base}/hooks/generic`;
  await storedNothing(daemon);

  const context = await env.chrome.browser.newContext();
  const page = await context.newPage();
  // What Chromium sent to /hooks and what it got back, as the browser saw it: a no-cors answer
  // is opaque to the page, not to the test. The headers as sent (Origin, Sec-Fetch-* are added
  // by the network stack) come from the DevTools protocol's "extra info".
  const sent = [];
  page.on("response", (response) => {
    if (response.url().startsWith(target)) sent.push({ kind: response.request().resourceType(), status: response.status() });
  });
  const cdp = await context.newCDPSession(page);
  const urls = new Map();
  const wire = new Map();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => wire.set(e.requestId, e.headers));
  await cdp.send("Network.enable");
  await page.goto(`${attackerBase}/?target=${encodeURIComponent(target)}`);
  assert.notEqual(new URL(page.url()).origin, new URL(daemon.base).origin, "the attacker is on another origin");

  // The page's own account: the fetch settled and the form's answer loaded into the iframe.
  await waitFor(async () => {
    const done = (await page.locator("#done").textContent()) ?? "";
    return done.includes("fetch") && done.includes("form");
  }, "the attacker page's fetch settled and its form's answer loaded");
  // The browser's account: all three requests reached hookbelld and were answered.
  await waitFor(() => sent.length >= 3, `Chromium saw answers to fetch, form and beacon (saw ${sent.length})`);

  assert.deepEqual(sent.map((r) => r.kind).sort(), ["document", "fetch", "ping"], "fetch, form and beacon were sent");
  for (const request of sent) assert.equal(request.status, 403, `${request.kind}: refused`);
  // Refused for the right reason: the form's answer, loaded into the iframe, says so ...
  const answer = (await page.frame({ name: "sink" })?.textContent("body")) ?? "";
  assert.match(answer, /came from a web browser/, "the form's answer");
  // ... and every one of them went out marked as a browser's.
  const asSent = () => [...wire].filter(([id]) => urls.get(id)?.startsWith(target)).map(([, headers]) => headers);
  await waitFor(() => asSent().length === 3, "the headers of fetch, form and beacon as sent were reported");
  const fromPage = asSent();
  for (const headers of fromPage) {
    const names = Object.keys(headers).map((h) => h.toLowerCase());
    assert.ok(names.includes("origin") && names.some((h) => h.startsWith("sec-fetch-")), `marked: ${names.join(", ")}`);
  }
  await context.close();

  await storedNothing(daemon);

  // The same kind of body from a server (no Origin, no Sec-Fetch-*) is stored: the assertions
  // above would have seen a forged alert.
  const legit = await postAsServer(target, { title: "sent by a program" });
  assert.equal(legit.status, 200, JSON.stringify(legit.body));
  assert.equal(legit.body.alerts.length, 1);
  const stats = await daemon.api("GET", "/api/stats");
  assert.equal(stats.body.total, 1);
  const alerts = await daemon.api("GET", "/api/alerts");
  assert.deepEqual(alerts.body.alerts.map((a) => a.title), ["sent by a program"]);
  const deliveries = await daemon.api("GET", "/api/deliveries");
  assert.equal(deliveries.body.deliveries.length, 1);
});

test("the Sources screen warns on a source with auth none and not on a signed one", async () => {
  const daemon = env.daemon;
  const created = await daemon.api("POST", "/api/sources", {
    id: "signed",
    provider: "generic",
    name: "Signed sender",
    auth: { scheme: "github", secret: "a-github-webhook-secret" },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const { page, context, problems } = await openApp(env.chrome.browser, daemon);
  await page.getByRole("navigation").waitFor({ timeout: TIMEOUT });
  await page.evaluate(() => (window.location.hash = "#/sources"));
  const open = page.getByRole("region", { name: "Generic sender" });
  const signed = page.getByRole("region", { name: "Signed sender" });
  await open.waitFor({ timeout: TIMEOUT });
  await signed.waitFor({ timeout: TIMEOUT });

  const warning = open.getByRole("note").filter({ hasText: "Anyone who learns this URL can plant alerts" });
  await warning.waitFor({ timeout: TIMEOUT });
  assert.match((await warning.textContent()) ?? "", /only secret/);
  assert.equal(await signed.getByRole("note").count(), 0, "a signed source gets no warning");
  // No relay is paired here, so no relay warning either.
  assert.equal(await open.getByRole("note").filter({ hasText: "relay" }).count(), 0);

  if (process.env.HOOKBELL_SCREENSHOT) {
    await page.screenshot({ path: process.env.HOOKBELL_SCREENSHOT, fullPage: true });
  }
  assert.deepEqual(problems, []);
  await context.close();
});
