// The desktop app's speed, measured on the real release build in a real window (Xvfb) with a
// D-Bus session and the project's fake notification service:
//
// - start: from the `hookbell` process starting to the inbox's first rows painted, over a store
//   of 100,000 alerts (the UI sets the performance mark `hookbell:first-rows` after the frame
//   that showed them);
// - notify: from a delivery's 2xx reaching the sender to the `Notify` call reaching the
//   notification service (the fake's receive time; both clocks are this machine's);
// - idle: memory (PSS and RSS) and CPU of every process of the app, WebKit's included, while
//   nothing happens;
// - tray: memory in the tray only (started --minimized: no window, no web view), with the
//   window opened by a second launch, and in the tray again after the window was closed (which
//   destroys the web view); and the time from a second launch to the rebuilt window's first
//   rows painted.
//
// Not part of `make test`; `make bench-desktop` builds the release app and runs it as
//
//   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
//     node tests/desktop/bench-desktop.mjs [--runs 5] [--alerts 100000] [--rounds 10] [--idle 30]
//
// The app is started as a user starts it and its window (the hookbell-window process) is read
// through WebKitWebDriver attached to it (as the desktop tests do), which lets the script read
// the page's performance mark; the driver process is not the app's and is not counted. The filled data directory is kept in $HOME/.cache/hookbell/desktop-bench
// (HOOKBELL_DESKTOP_BENCH_DIR to choose another), filled once through the release hookbelld.
// Prints a Markdown report.

import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, homedir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { APP, comm, startApp, startFakeNotifications, waitFor } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache/hookbell/target");
// The harness picks the app (HOOKBELL_APP) when it is imported; `make bench-desktop` sets it to
// the release build. This refuses to measure anything else by accident.
if (!APP.includes("/release/")) throw new Error(`measure the release build: HOOKBELL_APP=${APP}`);
const HOOKBELLD = process.env.HOOKBELLD ?? join(target, "release/hookbelld");
const DATA = process.env.HOOKBELL_DESKTOP_BENCH_DIR ?? join(homedir(), ".cache/hookbell/desktop-bench");
const CONFIG = join(here, "../e2e/fixtures/bench.toml");
const SOURCES = ["breach-watch", "dark-web", "cloud-posture", "leak-scan", "identity"];
const SEVERITIES = ["info", "low", "medium", "medium", "high", "high", "critical"];
/** The notifier folds bursts: three single notifications, then quiet for this long ends it. */
const BURST_QUIET_MS = 10_500;
const SINGLES_PER_BURST = 3;
/** Any one wait of this script. */
const DEADLINE = 120_000;

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    alerts: { type: "string", default: "100000" },
    rounds: { type: "string", default: "10" },
    idle: { type: "string", default: "30" },
    only: { type: "string", default: "" },
  },
});
const RUNS = Number(opts.runs);
const ALERTS = Number(opts.alerts);
const ROUNDS = Number(opts.rounds);
const IDLE_SECONDS = Number(opts.idle);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`${line}\n`);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const median = (values) => percentile(values, 50);
const ms = (v) => `${Math.round(v)} ms`;
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
/** `key` (kB) summed over processes. */
const sum = (list, key) => list.reduce((total, p) => total + p[key], 0);
/** Processes' memory, summed, as docs/BENCHMARKS.md reports it. */
const footprint = (list) => `PSS ${mb(sum(list, "pss"))} (private dirty ${mb(sum(list, "own"))}; RSS ${mb(sum(list, "rss"))})`;
const verdict = (ok) => (ok ? "✓" : "✗");

// ---------------------------------------------------------------------------------------------
// The store of 100,000 alerts

/** One generic delivery, unique per `n`. */
function delivery(n, tag) {
  return JSON.stringify({
    id: `desktop-bench-${tag}-${n}`,
    title: `Password for account ${n} found in a combolist`,
    severity: SEVERITIES[n % SEVERITIES.length],
    subject: `user${n}@example.com`,
    category: "security.alert",
    message: "A monitoring provider reported this finding. Rotate the credentials that may be exposed.",
  });
}

async function post(base, source, body) {
  const response = await fetch(`${base}/hooks/${source}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST /hooks/${source}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Starts the release hookbelld on DATA; resolves to its base URL and a stop function. */
async function daemon() {
  const child = spawn(HOOKBELLD, ["serve", "--listen", "127.0.0.1:0", "--data-dir", DATA], {
    env: { ...process.env, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ended = new Promise((resolve) => child.once("exit", resolve));
  const base = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`hookbelld exited early (${code})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const at = line.indexOf("listening on http://");
      if (at >= 0) resolve(line.slice(at + "listening on ".length).trim());
    });
  });
  const token = readFileSync(join(DATA, "api-token"), "utf8").trim();
  const total = async () => {
    const response = await fetch(`${base}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
    return (await response.json()).total;
  };
  return {
    base,
    total,
    async stop() {
      child.kill("SIGTERM");
      await ended;
    },
  };
}

/** Fills DATA to ALERTS alerts (once; later runs find it full). */
async function fillStore() {
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(join(DATA, "hookbell.toml"))) copyFileSync(CONFIG, join(DATA, "hookbell.toml"));
  const d = await daemon();
  try {
    const have = await d.total();
    if (have >= ALERTS) return have;
    log(`filling ${DATA} from ${have} to ${ALERTS} alerts…`);
    const marker = join(DATA, "desktop-bench-filled");
    const used = existsSync(marker) ? Number(readFileSync(marker, "utf8")) : 0;
    const to = used + (ALERTS - have);
    let next = used;
    const sender = async () => {
      while (next < to) {
        const n = next++;
        await post(d.base, SOURCES[n % SOURCES.length], delivery(n, "fill"));
        if (n % 20_000 === 0) log(`  ${n - used} posted`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, sender));
    writeFileSync(marker, String(to));
    return await d.total();
  } finally {
    await d.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** When `pid` started, in ms since the epoch (to the 10 ms of its start time in ticks). */
function startedAt(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const now = Date.now();
  return now - (uptime - startTicks / TICKS_PER_SECOND) * 1000;
}

/** CPU time used so far by `pid` (user + system), in ticks. */
function cpuTicks(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** `{ pss, rss, own }` of `pid` in KB (smaps_rollup); `own` is its private dirty memory, what
 * it holds that no other process shares and the kernel cannot drop (PSS also counts a share
 * of the libraries' code, most of it WebKit's). */
function memory(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const field = (name) => Number(rollup.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
    return { pss: field("Pss"), rss: field("Rss"), own: field("Private_Dirty") };
  } catch {
    return { pss: 0, rss: 0, own: 0 };
  }
}

/** Tries to empty the page cache, for a start that reads the store from disk. */
function dropCaches() {
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

/** Waits for the UI's `hookbell:first-rows` mark; resolves to its time since the epoch. */
async function firstRowsPainted(app) {
  return waitFor(
    () =>
      app.execute(
        "const m = performance.getEntriesByName('hookbell:first-rows')[0]; return m ? performance.timeOrigin + m.startTime : null;",
      ),
    "the inbox's first rows are painted",
    DEADLINE,
  );
}

// ---------------------------------------------------------------------------------------------
// The measurements

/** When the app last logged "engine ready" in DATA's hookbell.log (ms since the epoch). */
function engineReadyAt() {
  const lines = readFileSync(join(DATA, "hookbell.log"), "utf8").split("\n").filter((l) => l.includes("engine ready"));
  return Date.parse(lines.at(-1)?.split(" ")[0] ?? "");
}

/** True while `pid` runs (not gone, not a zombie waiting for its parent). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Quits the app as a user does (SIGTERM to the app itself, which flushes the store and saves
 * its index snapshot), then ends the WebDriver session. Ending the session alone kills the
 * app, which a user's next start would then pay for with a full index scan. */
async function quit(app) {
  const main = app.processes().find((pid) => comm(pid) === "hookbell");
  if (main) {
    process.kill(main, "SIGTERM");
    await waitFor(() => !alive(main), "the app to quit", DEADLINE).catch(() => {});
  }
  await app.stop();
}

async function measureStart(run) {
  const cold = dropCaches();
  const app = await startApp({ name: `bench-start-${run}`, dataDir: DATA, waitForUi: false });
  try {
    const [pid] = await waitFor(() => app.processes().length > 0 && app.processes(), "the app's process", DEADLINE);
    const started = startedAt(pid);
    const painted = await firstRowsPainted(app);
    const page = await app.execute("return performance.timeOrigin;");
    return { ms: painted - started, engine: engineReadyAt() - started, page: page - started, cold };
  } finally {
    await quit(app);
  }
}

/** Memory of the app over a fresh data directory (a first start), once its UI has booted and
 * start-up work has ended. */
async function measureFresh() {
  const app = await startApp({ name: "bench-fresh" });
  try {
    await sleep(5_000);
    return app.processes().map((pid) => ({ pid, name: comm(pid), ...memory(pid) }));
  } finally {
    await quit(app);
  }
}

/** Idle CPU and memory, then the notification latency, in one app. */
async function measureRunning(fake) {
  const app = await startApp({ name: "bench-running", dataDir: DATA, waitForUi: false });
  try {
    await firstRowsPainted(app);
    await app.settings({ notifications: { enabled: true, min_severity: "info", quiet_hours: { enabled: false }, muted_sources: [] } });
    // Idle: let start-up work end, then count CPU ticks over IDLE_SECONDS.
    await sleep(5_000);
    const pids = app.processes();
    const before = pids.map(cpuTicks);
    await sleep(IDLE_SECONDS * 1000);
    const after = pids.map(cpuTicks);
    const cpuSeconds = after.reduce((sum, t, i) => sum + t - before[i], 0) / TICKS_PER_SECOND;
    const processes = pids.map((pid) => ({ pid, name: comm(pid), ...memory(pid) }));

    // Notify: rounds of three single notifications, each round its own burst.
    const latencies = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let k = 0; k < SINGLES_PER_BURST; k += 1) {
        // Twelve digits at most: longer runs of digits can pass the Luhn check, and card-like
        // numbers are masked in titles, which the wait below would then never find.
        const n = (Date.now() % 1e11) * 10 + k;
        const title = `Password for account ${n} found in a combolist`;
        await post(app.base, SOURCES[k], delivery(n, "notify"));
        const ok = Date.now();
        const note = await fake.waitForNotification((x) => x.summary.includes(title), `the notification for ${n}`, DEADLINE);
        latencies.push(note.at_ms - ok);
      }
      await sleep(BURST_QUIET_MS);
    }
    return { cpuSeconds, processes, latencies };
  } finally {
    await quit(app);
  }
}

/** Memory of each of the app's processes now. */
const snapshot = (app) => app.processes().map((pid) => ({ pid, name: comm(pid), ...memory(pid) }));

/** Tray-only memory, window-open memory and show-after-destroy latency, over the full store. */
async function measureTray(rounds = 3) {
  const app = await startApp({ name: "bench-tray", dataDir: DATA, args: ["--minimized"] });
  try {
    await sleep(5_000);
    const tray = snapshot(app);
    const trayMapsWebKit = app.mapsWebKit();
    let open;
    const shows = [];
    for (let round = 0; round < rounds; round += 1) {
      // A second launch hands over to the running app, which builds its window again (on the
      // inbox: the route it was on).
      const requested = await app.launchAgain();
      const painted = await firstRowsPainted(app);
      shows.push(painted - requested);
      if (round === 0) {
        await sleep(5_000);
        open = snapshot(app);
      }
      await app.closeWindow();
      await waitFor(() => app.webProcesses().length === 0, "the web view's process ends", DEADLINE);
    }
    await sleep(5_000);
    const closed = snapshot(app);
    return { tray, open, closed, shows, trayMapsWebKit, closedMapsWebKit: app.mapsWebKit() };
  } finally {
    await quit(app);
  }
}

// ---------------------------------------------------------------------------------------------

const total = await fillStore();
log(`store: ${total} alerts in ${DATA}`);
const fake = await startFakeNotifications();
try {
  if (opts.only === "tray") {
    const t = await measureTray();
    for (const [what, list] of [["tray only (--minimized)", t.tray], ["window open", t.open], ["tray only after closing", t.closed]]) {
      console.log(`| ${what} | ${footprint(list)} | ${list.map((p) => `${p.name} ${mb(p.pss)}`).join(", ")} |`);
    }
    console.log(`| second launch → first rows | ${t.shows.map(ms).join(", ")} | |`);
    console.log(`| the app's own process maps WebKit | tray only: ${t.trayMapsWebKit ? "yes" : "no"}; after closing: ${t.closedMapsWebKit ? "yes" : "no"} | |`);
    process.exit(0);
  }
  const starts = [];
  for (let run = 0; run < RUNS; run += 1) {
    const start = await measureStart(run);
    log(`start ${run + 1}/${RUNS}: ${ms(start.ms)} (engine ready ${ms(start.engine)}, UI page began ${ms(start.page)})${start.cold ? " (page cache dropped)" : ""}`);
    starts.push(start);
  }
  if (opts.only === "start") process.exit(0);
  const trayOnly = await measureTray();
  log(`tray: ${trayOnly.tray.length} processes; shows ${trayOnly.shows.map(ms).join(", ")}`);
  const fresh = await measureFresh();
  const running = await measureRunning(fake);
  const startMs = starts.map((s) => s.ms);
  const cpuPercent = (100 * running.cpuSeconds) / IDLE_SECONDS;
  const p95 = percentile(running.latencies, 95);
  const cold = starts.every((s) => s.cold) ? "page cache dropped before each start" : "page cache warm (could not drop it)";

  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GB; Xvfb, release build; ${total} alerts stored.\n`);
  console.log("| measure | result | target |");
  console.log("|---|---|---|");
  console.log(
    `| start to the inbox's first rows painted (median of ${RUNS}; ${cold}) | ${ms(median(startMs))} (min ${ms(Math.min(...startMs))}, max ${ms(Math.max(...startMs))}) | < 2 s: ${verdict(Math.max(...startMs) < 2000)} |`,
  );
  console.log(
    `| delivery 2xx → D-Bus Notify (${running.latencies.length} notifications) | p50 ${ms(median(running.latencies))}, p95 ${ms(p95)}, max ${ms(Math.max(...running.latencies))} | p95 < 100 ms: ${verdict(p95 < 100)} |`,
  );
  for (const [what, list] of [
    ["first start (empty store)", fresh],
    [`${total} alerts stored`, running.processes],
  ]) {
    console.log(`| idle memory, ${what}, all ${list.length} processes | ${footprint(list)} | < 200 MB: ${verdict(sum(list, "pss") < 200 * 1024)} |`);
  }
  const detail = (list) => `${footprint(list)}: ${list.map((p) => p.name).join(", ")}`;
  console.log(`| tray only, started --minimized (no web view), ${total} alerts | ${detail(trayOnly.tray)} | ≤ 80 MB: ${verdict(sum(trayOnly.tray, "pss") <= 80 * 1024)} |`);
  console.log(`| window open (built by a second launch, 5 s after its first rows) | ${detail(trayOnly.open)} | – |`);
  console.log(`| tray only after the window was opened and closed ${trayOnly.shows.length} times | ${detail(trayOnly.closed)} | ≤ 80 MB: ${verdict(sum(trayOnly.closed, "pss") <= 80 * 1024)} |`);
  console.log(`| second launch → rebuilt window's first rows painted (${trayOnly.shows.length}) | median ${ms(median(trayOnly.shows))} (min ${ms(Math.min(...trayOnly.shows))}, max ${ms(Math.max(...trayOnly.shows))}) | – |`);
  console.log(`| idle CPU over ${IDLE_SECONDS} s, all processes | ${cpuPercent.toFixed(2)} % of one core | ~0: ${verdict(cpuPercent < 1)} |`);
  console.log("\nProcesses at idle (empty store; 100,000 alerts):\n");
  console.log("| process | PSS | private dirty | RSS |");
  console.log("|---|---|---|---|");
  for (const p of running.processes) {
    const f = fresh.find((x) => x.name === p.name);
    const both = (key) => `${f ? mb(f[key]) : "–"}; ${mb(p[key])}`;
    console.log(`| ${p.name} | ${both("pss")} | ${both("own")} | ${both("rss")} |`);
  }
} finally {
  await fake.stop();
}
