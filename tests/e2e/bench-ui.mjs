// The web UI's speed in real Chromium against the real hookbelld over a store of 100,000 alerts:
// first paint of the inbox, search, DOM rows while scrolling, live insertion at 100 alerts/s,
// and the production bundle's gzipped size. Not part of `make test`; run it by hand:
//
//   node tests/e2e/bench-ui.mjs [--runs 5] [--alerts 100000] [--json FILE]
//
// HOOKBELLD picks the binary (default: the release build, which embeds ui/dist when it is
// built, so rebuild it after changing the UI). The filled data directory is kept in
// $HOME/.cache/hookbell/ui-bench (HOOKBELL_UI_BENCH_DIR to choose another) so re-runs start at
// once. Prints a Markdown report; targets: first paint < 500 ms, search < 200 ms, < 200 DOM
// rows, no dropped frames, bundle < 200 KB gzipped.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, homedir, loadavg, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { launchBrowser, startDaemon } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    alerts: { type: "string", default: "100000" },
    json: { type: "string" },
  },
});
const RUNS = Number(opts.runs);
const ALERTS = Number(opts.alerts);
const BIN = process.env.HOOKBELLD ?? join(homedir(), ".cache/hookbell/target/release/hookbelld");
const DATA = process.env.HOOKBELL_UI_BENCH_DIR ?? join(homedir(), ".cache/hookbell/ui-bench");

const ROW = 56; // px, AlertList's row height
const SCROLL_ROWS = 5_000; // how far the scroll test goes
const LIVE_RATE = 100; // alerts per second
const LIVE_SECONDS = 10;
const FRAME_BUDGET = 50; // ms: a frame gap above this counts as dropped
const DEADLINE = 120_000; // ms: any single wait
const SOURCES = ["breach-watch", "dark-web", "cloud-posture", "leak-scan", "identity"];
const SEVERITIES = ["info", "low", "low", "medium", "medium", "medium", "high", "high", "critical"];
const TITLES = [
  (n) => `Password for account ${n} found in a combolist`,
  (n) => `New sign-in to account ${n} from an unrecognized device`,
  (n) => `Storage bucket ${n} is readable by anyone`,
  (n) => `Email address ${n} appeared in a new breach`,
  (n) => `Exposed database on host ${n} leaks customer records`,
  (n) => `Session token ${n} posted to a public paste`,
  (n) => `Card number ending ${String(n % 10_000).padStart(4, "0")} offered for sale`,
  (n) => `Compliance score for project ${n} fell below the threshold`,
];

/** One alert's delivery: a generic provider document, unique per `n`. */
function delivery(n, tag = "fill") {
  return JSON.stringify({
    id: `ui-bench-${tag}-${n}`,
    title: TITLES[n % TITLES.length](n),
    severity: SEVERITIES[n % SEVERITIES.length],
    subject: `user${n}@example.com`,
    category: "security.alert",
    message:
      "A monitoring provider reported this finding. Review the affected account, rotate any " +
      "credentials that may be exposed and check recent activity for anything unexpected.",
  });
}

async function post(base, n, tag) {
  const source = SOURCES[n % SOURCES.length];
  const response = await fetch(`${base}/hooks/${source}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: delivery(n, tag),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`delivery ${n}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Deletes alerts by id with a few requests in flight. */
async function deleteAll(daemon, ids, concurrency = 16) {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) await daemon.api("DELETE", `/api/alerts/${ids[next++]}`);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Posts deliveries `from`..`to` with `concurrency` senders. */
async function fill(base, from, to, concurrency = 32) {
  let next = from;
  let done = 0;
  const started = Date.now();
  const sender = async () => {
    while (next < to) {
      const n = next++;
      await post(base, n, "fill");
      if (++done % 10_000 === 0) {
        const rate = Math.round(done / ((Date.now() - started) / 1000));
        process.stderr.write(`  filled ${from + done} of ${to} (${rate}/s)\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
}

async function stats(daemon) {
  const { status, body } = await daemon.api("GET", "/api/stats");
  if (status !== 200) throw new Error(`/api/stats: ${status}`);
  return body;
}

/** Starts hookbelld over the cached data directory, filling it to ALERTS first if needed. */
async function filledDaemon() {
  mkdirSync(DATA, { recursive: true });
  const options = { bin: BIN, dataDir: DATA, config: join(here, "fixtures", "bench.toml") };
  let daemon = await startDaemon(options);
  const total = (await stats(daemon)).total;
  if (total < ALERTS) {
    process.stderr.write(`filling ${DATA} from ${total} to ${ALERTS} alerts…\n`);
    // Numbers go on from the highest one used, so nothing is a duplicate of an earlier fill.
    const marker = join(DATA, "ui-bench-filled");
    const used = existsSync(marker) ? Number(readFileSync(marker, "utf8")) : 0;
    await fill(daemon.base, used, used + (ALERTS - total));
    writeFileSync(marker, String(used + (ALERTS - total)));
    // Start afresh, as a user would open the app on a full store.
    await daemon.stop();
    daemon = await startDaemon(options);
  }
  return daemon;
}

/** Installed before the page's own scripts: paint and mutation observers the tests read. */
function instrument() {
  const bench = {
    /** Element Timing entries: when each first-row title was painted. */
    painted: [],
    longTasks: [],
  };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const row = e.element?.closest("a");
        bench.painted.push({ t: e.renderTime || e.loadTime, href: row?.getAttribute("href") ?? null });
      }
    }).observe({ type: "element", buffered: true });
  } catch {
    /* no Element Timing: the frame after the DOM change is used */
  }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {
    /* no long task timing */
  }
  /** Resolves when the first row links to `hrefPart` (any row when null): when it entered the
   * DOM, the start of the next frame, and when its title was painted (Element Timing). */
  bench.firstRow = (hrefPart, after = 0) =>
    new Promise((resolve) => {
      const matches = () => {
        const a = document.querySelector('[role="list"] a[data-index="0"]');
        return a && (hrefPart === null || (a.getAttribute("href") ?? "").includes(hrefPart)) ? a : null;
      };
      // `frame`: when the next frame's callbacks run, after the DOM change (the rAF timestamp
      // itself may predate the change, so it is not used).
      const finish = (dom) =>
        requestAnimationFrame(() => {
          const frame = performance.now();
          const href = matches()?.getAttribute("href");
          const deadline = performance.now() + 1000;
          const poll = () => {
            const paint = bench.painted.find((p) => p.t >= after && p.href === href);
            if (paint || performance.now() > deadline) resolve({ dom, frame, paint: paint?.t ?? null });
            else setTimeout(poll, 10);
          };
          poll();
        });
      if (matches()) return finish(performance.now());
      const observer = new MutationObserver(() => {
        if (matches()) {
          observer.disconnect();
          finish(performance.now());
        }
      });
      observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["href", "data-index"] });
    });
  /** Frame recorder: gaps between animation frames over `budget` ms, long tasks, and whether
   * the list row at the top of the viewport stays where it is. */
  bench.startFrames = (budget) => {
    const vp = document.querySelector('[role="list"]');
    const box = vp.getBoundingClientRect();
    const topRow = document.elementFromPoint(box.left + box.width / 2, box.top + 1)?.closest('[role="listitem"]');
    const href = topRow?.querySelector("a")?.getAttribute("href");
    const offset = topRow ? topRow.getBoundingClientRect().top - box.top : 0;
    const rec = { frames: 0, gaps: [], moved: 0, missing: 0, stop: false, longTasksBefore: bench.longTasks.length, started: performance.now() };
    bench.frames = rec;
    let last = null;
    const frame = (t) => {
      if (rec.stop) return;
      if (last !== null && t - last > budget) rec.gaps.push(t - last);
      last = t;
      rec.frames++;
      const row = href ? vp.querySelector(`a[href="${href}"]`)?.closest('[role="listitem"]') : null;
      if (!row) rec.missing++;
      else if (Math.abs(row.getBoundingClientRect().top - box.top - offset) > 1) rec.moved++;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  };
  bench.stopFrames = () => {
    const rec = bench.frames;
    rec.stop = true;
    const longTasks = bench.longTasks.slice(rec.longTasksBefore);
    return {
      frames: rec.frames,
      seconds: (performance.now() - rec.started) / 1000,
      dropped: rec.gaps.length,
      worstGap: rec.gaps.length ? Math.max(...rec.gaps) : 0,
      longTasks: longTasks.length,
      longestTask: longTasks.length ? Math.max(...longTasks.map((t) => t.duration)) : 0,
      moved: rec.moved,
      missing: rec.missing,
    };
  };
  /** Records keydown times (the search timing starts at the last one). */
  bench.keys = [];
  addEventListener("keydown", (e) => bench.keys.push(e.timeStamp), true);
}

/** When rows were on screen: their Element Timing paint, but never before the frame that
 * followed their entry into the DOM (Chromium may stamp a paint with its frame's start). */
function shownAt(row) {
  return Math.max(row.paint ?? 0, row.frame);
}

function median(xs) {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : "n/a");

async function openInbox(browser, daemon) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.addInitScript(instrument);
  await page.goto(`${daemon.base}/#token=${daemon.token}`);
  const row = await page.evaluate(() => window.__bench.firstRow(null));
  const timing = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
    const nav = performance.getEntriesByType("navigation")[0];
    const alerts = performance.getEntriesByType("resource").find((r) => r.name.includes("/api/alerts"));
    const script = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".js"));
    return {
      fcp,
      scriptLoaded: script ? script.responseEnd : null,
      alertsStart: alerts ? alerts.startTime : null,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? null,
      alertsResponse: alerts ? alerts.responseEnd : null,
      alertsDuration: alerts ? alerts.responseEnd - alerts.startTime : null,
    };
  });
  return { context, page, problems, row, timing };
}

/** Navigation start to the first alert row painted, and first-contentful-paint. */
async function firstPaint(browser, daemon) {
  const { context, page, problems, row, timing } = await openInbox(browser, daemon);
  await context.close();
  if (problems.length) throw new Error(problems.join("; "));
  return { rows: shownAt(row), rowsDom: row.dom, ...timing };
}

/**
 * The first of `candidates` whose match count suits `wanted` and whose first result differs from
 * that of every shorter prefix: then the rows of a search that fired mid-typing can never pass
 * for the final result, and the timing always ends at the final query's rows.
 */
async function pickQuery(daemon, candidates, wanted) {
  const first = async (q) => {
    const { body } = await daemon.api("GET", `/api/alerts?q=${encodeURIComponent(q)}&limit=1`);
    return { id: body.alerts[0]?.id ?? null, total: body.total };
  };
  for (const q of candidates) {
    const final = await first(q);
    if (!final.id || !wanted(final.total)) continue;
    let clean = true;
    for (let n = 0; n < q.length && clean; n++) clean = (await first(q.slice(0, n))).id !== final.id;
    if (clean) return { q, id: final.id, total: final.total };
  }
  throw new Error(`none of ${candidates.join(", ")} makes a clean search query over this store`);
}

/** Types `query` into the search box like a person (one key per 60 ms) and times the last key to
 * the painted result; `expected` is the id the first result row must link to. */
async function search(page, query, expected, newest) {
  await clearSearch(page, newest);
  const box = page.getByRole("searchbox", { name: "Search" });
  await box.focus();
  await page.evaluate(() => (window.__bench.keys = []));
  const shown = page.evaluate(
    ([id]) => window.__bench.firstRow(`/alerts/${id}`, 0),
    [expected],
  );
  await page.keyboard.type(query, { delay: 60 });
  const row = await shown;
  const lastKey = await page.evaluate(() => window.__bench.keys.at(-1));
  return { total: shownAt(row) - lastKey, dom: row.dom - lastKey };
}

/** Empties the search box and waits for the unfiltered list (its first row is `newest`). */
async function clearSearch(page, newest) {
  const box = page.getByRole("searchbox", { name: "Search" });
  if ((await box.inputValue()) !== "") await box.fill("");
  await page.evaluate(([id]) => window.__bench.firstRow(`/alerts/${id}`), [newest]);
}

/** Scrolls the list by ~27 rows a frame until SCROLL_ROWS alerts are loaded and passed,
 * counting row elements (and all elements) on every frame. */
async function scrollThrough(page) {
  return page.evaluate(
    ([target, rowH, deadline, budget]) =>
      new Promise((resolve) => {
        const vp = document.querySelector('[role="list"]');
        const started = performance.now();
        let maxRows = 0;
        let maxElements = 0;
        let frames = 0;
        let dropped = 0;
        let last = null;
        const step = (t) => {
          if (last !== null && t - last > budget) dropped++;
          last = t;
          frames++;
          maxRows = Math.max(maxRows, vp.querySelectorAll('[role="listitem"]').length);
          maxElements = Math.max(maxElements, document.getElementsByTagName("*").length);
          const loaded = Math.round((vp.scrollHeight) / rowH);
          if (vp.scrollTop / rowH >= target || performance.now() - started > deadline) {
            resolve({ maxRows, maxElements, frames, dropped, loaded, reached: Math.round(vp.scrollTop / rowH), ms: performance.now() - started });
            return;
          }
          vp.scrollTop += 1500;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
    [SCROLL_ROWS, ROW, DEADLINE, FRAME_BUDGET],
  );
}

/** With the reader scrolled to row `at`: first LIVE_SECONDS with nothing arriving (the control:
 * what the machine alone costs in frames), then LIVE_RATE alerts/s for LIVE_SECONDS, recording
 * frame gaps, long tasks and whether the row at the top stays where it was. */
async function liveInsertion(page, daemon, at, run) {
  const top = at * ROW + 20;
  await page.evaluate(([y]) => (document.querySelector('[role="list"]').scrollTop = y), [top]);
  // Let the scroll settle into rendered rows.
  await page.waitForFunction(
    ([y, row]) => {
      const vp = document.querySelector('[role="list"]');
      return Math.abs(vp.scrollTop - y) < 1 && vp.querySelector(`a[data-index="${Math.floor(y / row)}"]`);
    },
    [top, ROW],
    { timeout: DEADLINE },
  );

  await page.evaluate(([budget]) => window.__bench.startFrames(budget), [FRAME_BUDGET]);
  await new Promise((resolve) => setTimeout(resolve, LIVE_SECONDS * 1000)); // the measuring window
  const control = await page.evaluate(() => window.__bench.stopFrames());

  const before = await page.evaluate(() => document.querySelector('[role="list"]').scrollHeight);
  await page.evaluate(([budget]) => window.__bench.startFrames(budget), [FRAME_BUDGET]);
  // LIVE_RATE deliveries a second, each sent on schedule (not after the previous answer).
  const count = LIVE_RATE * LIVE_SECONDS;
  const started = Date.now();
  const sends = [];
  let late = 0;
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / LIVE_RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -20) late++;
    sends.push(post(daemon.base, i, `live-${run}-${Date.now()}`));
  }
  const answers = await Promise.all(sends);
  const sentIn = Date.now() - started;
  // Every alert reached the list (it grew by `count` rows).
  await page.waitForFunction(
    ([h]) => document.querySelector('[role="list"]').scrollHeight >= h,
    [before + count * ROW],
    { timeout: DEADLINE },
  );
  const live = await page.evaluate(() => window.__bench.stopFrames());
  // Keep the cached store at its filled size for the next run.
  await deleteAll(daemon, answers.flatMap((a) => a.alerts));
  return { ...live, control, sentIn, late };
}

function bundle() {
  const dist = join(root, "ui", "dist");
  if (!existsSync(join(dist, "index.html"))) throw new Error("ui/dist is missing: run scripts/build-ui.sh");
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const data = readFileSync(path);
        files.push({ file: relative(dist, path), raw: data.length, gzip: gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(dist);
  return files.sort((a, b) => b.gzip - a.gzip);
}

async function main() {
  const loadBefore = loadavg()[0];
  const files = bundle();
  const daemon = await filledDaemon();
  // A release hookbelld serves the ui/dist it was built with: measure the UI that is on disk.
  const served = await (await fetch(`${daemon.base}/`)).text();
  if (served !== readFileSync(join(root, "ui", "dist", "index.html"), "utf8")) {
    await daemon.stop();
    throw new Error(`${BIN} serves another build of the UI than ui/dist: rebuild it (cargo build --release -p hookbell-server --bin hookbelld)`);
  }
  const chrome = await launchBrowser();
  try {
    const st = await stats(daemon);
    const browserVersion = chrome.browser.version();

    // Queries with a known first result: one match, and thousands of matches.
    const queries = [
      await pickQuery(daemon, ["user3333@", "user4242@", "user5151@", "user7373@"], (n) => n === 1),
      await pickQuery(daemon, ["account 1", "account 2", "account 3", "host 4"], (n) => n >= 1000),
    ];

    const newest = (await daemon.api("GET", "/api/alerts?limit=1")).body.alerts[0].id;

    const paints = [];
    for (let i = 0; i < RUNS; i++) {
      paints.push(await firstPaint(chrome.browser, daemon));
      const p = paints.at(-1);
      process.stderr.write(`first paint ${i + 1}: rows painted ${ms(p.rows)} (in the DOM ${ms(p.rowsDom)}), fcp ${ms(p.fcp)}\n`);
    }

    const searches = Object.fromEntries(queries.map((q) => [q.q, []]));
    const scrolls = [];
    const lives = [];
    for (let i = 0; i < RUNS; i++) {
      const { context, page, problems } = await openInbox(chrome.browser, daemon);
      for (const q of queries) {
        searches[q.q].push(await search(page, q.q, q.id, newest));
        process.stderr.write(`search ${JSON.stringify(q.q)} ${i + 1}: ${ms(searches[q.q].at(-1).total)}\n`);
      }
      await clearSearch(page, newest);
      scrolls.push(await scrollThrough(page));
      process.stderr.write(`scroll ${i + 1}: max ${scrolls.at(-1).maxRows} rows, ${scrolls.at(-1).loaded} loaded\n`);
      if (i < 3) {
        lives.push(await liveInsertion(page, daemon, 1_000, i));
        process.stderr.write(`live ${i + 1}: ${JSON.stringify(lives.at(-1))}\n`);
      }
      await context.close();
      if (problems.length) throw new Error(problems.join("; "));
    }

    const result = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        memGiB: Math.round(totalmem() / 2 ** 30),
        // Other work on the machine: the 1-minute load average before and after.
        load: [loadBefore, loadavg()[0]].map((l) => Math.round(l * 10) / 10),
      },
      chromium: browserVersion,
      node: process.version,
      hookbelld: BIN,
      alerts: st.total,
      runs: RUNS,
      firstPaint: {
        rows: median(paints.map((p) => p.rows)),
        rowsDom: median(paints.map((p) => p.rowsDom)),
        fcp: median(paints.map((p) => p.fcp)),
        domContentLoaded: median(paints.map((p) => p.domContentLoaded)),
        scriptLoaded: median(paints.map((p) => p.scriptLoaded)),
        alertsStart: median(paints.map((p) => p.alertsStart)),
        alertsResponse: median(paints.map((p) => p.alertsResponse)),
        alertsDuration: median(paints.map((p) => p.alertsDuration)),
        all: paints.map((p) => Math.round(p.rows)),
      },
      search: queries.map((q) => ({
        q: q.q,
        matches: q.total,
        total: median(searches[q.q].map((s) => s.total)),
        dom: median(searches[q.q].map((s) => s.dom)),
        all: searches[q.q].map((s) => Math.round(s.total)),
      })),
      scroll: {
        maxRows: Math.max(...scrolls.map((s) => s.maxRows)),
        maxElements: Math.max(...scrolls.map((s) => s.maxElements)),
        loaded: median(scrolls.map((s) => s.loaded)),
        seconds: median(scrolls.map((s) => s.ms / 1000)),
      },
      live: {
        runs: lives.length,
        controlDropped: Math.max(...lives.map((l) => l.control.dropped)),
        controlWorstGap: Math.max(...lives.map((l) => l.control.worstGap)),
        dropped: Math.max(...lives.map((l) => l.dropped)),
        worstGap: Math.max(...lives.map((l) => l.worstGap)),
        longTasks: Math.max(...lives.map((l) => l.longTasks)),
        longestTask: Math.max(...lives.map((l) => l.longestTask)),
        frames: median(lives.map((l) => l.frames)),
        seconds: median(lives.map((l) => l.seconds)),
        anchorMoved: Math.max(...lives.map((l) => l.moved + l.missing)),
        late: Math.max(...lives.map((l) => l.late)),
        all: lives,
      },
      bundle: files,
    };
    if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
    report(result);
  } finally {
    await chrome.close();
    await daemon.stop();
  }
}

function report(r) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const gz = r.bundle.reduce((s, f) => s + f.gzip, 0);
  const raw = r.bundle.reduce((s, f) => s + f.raw, 0);
  const verdict = (ok) => (ok ? "met" : "**not met**");
  const fp = r.firstPaint;
  const lines = [
    `# UI in Chromium (${r.alerts.toLocaleString("en")} alerts)`,
    "",
    `${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memGiB} GiB, load average ${r.machine.load.join(" → ")}; Chromium ${r.chromium} headless; Node ${r.node}; ${r.hookbelld}. Medians of ${r.runs} runs.`,
    "",
    "| measure | result | target |",
    "|---|---|---|",
    `| first alert rows on screen (navigation start → the first row painted) | ${ms(fp.rows)} | < 500 ms: ${verdict(fp.rows < 500)} |`,
    `| first-contentful-paint | ${ms(fp.fcp)} | |`,
    ...r.search.map(
      (s) => `| search \`${s.q}\` (${s.matches === 1 ? "1 match" : `${s.matches.toLocaleString("en")} matches`}): last key → result rows painted | ${ms(s.total)} | < 200 ms: ${verdict(s.total < 200)} |`,
    ),
    `| most row elements in the DOM, scrolling through ${r.scroll.loaded.toLocaleString("en")} alerts | ${r.scroll.maxRows} (${r.scroll.maxElements} elements in all) | < 200: ${verdict(r.scroll.maxRows < 200)} |`,
    `| live insertion, ${LIVE_RATE}/s for ${LIVE_SECONDS} s: frames over ${FRAME_BUDGET} ms (worst of ${r.live.runs} runs) | ${r.live.dropped} (longest gap ${Math.round(r.live.worstGap)} ms; ${r.live.longTasks} long tasks, longest ${Math.round(r.live.longestTask)} ms) | none: ${verdict(r.live.dropped === 0)} |`,
    `| the same ${LIVE_SECONDS} s with nothing arriving (control: what the machine alone costs) | ${r.live.controlDropped} frames over ${FRAME_BUDGET} ms (longest gap ${Math.round(r.live.controlWorstGap)} ms) | |`,
    `| reader's scroll position during live insertion: frames where the top row moved | ${r.live.anchorMoved} of ~${Math.round(r.live.frames)} | 0: ${verdict(r.live.anchorMoved === 0)} |`,
    `| production bundle, gzip -9 (all of ui/dist) | ${kb(gz)} (${kb(raw)} raw) | < 200 KB: ${verdict(gz < 200 * 1024)} |`,
    "",
    `First paint detail (from navigation start): the script loaded at ${ms(fp.scriptLoaded)}, DOMContentLoaded ${ms(fp.domContentLoaded)}, /api/alerts asked at ${ms(fp.alertsStart)} and answered at ${ms(fp.alertsResponse)} (${ms(fp.alertsDuration)}), rows in the DOM at ${ms(fp.rowsDom)}, painted at ${ms(fp.rows)}; runs: ${fp.all.join(", ")} ms.`,
    ...r.search.map((s) => `Search \`${s.q}\`: runs ${s.all.join(", ")} ms; rows in the DOM after ${ms(s.dom)}.`),
    "",
    "| file | raw | gzip |",
    "|---|---|---|",
    ...r.bundle.map((f) => `| ${f.file} | ${kb(f.raw)} | ${kb(f.gzip)} |`),
  ];
  console.log(lines.join("\n"));
}

await main();
