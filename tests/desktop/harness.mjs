// Run: xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- node --test --test-concurrency=1 tests/desktop/*.test.mjs
//
// Desktop test harness: the real `hookbell` app in a real X server (Xvfb) with a private D-Bus
// session bus, started as a user starts it; its window (the `hookbell-window` process the app
// starts when the window must show) driven through WebDriver (WebKitWebDriver attached to the
// window process's WebKit, see startApp); and a fake org.freedesktop.Notifications service
// (tests/desktop/fake-notifications) that records every notification the app sends and plays
// clicks on them. Everything it starts, it stops.
//
// Needs: the app (HOOKBELL_APP, default $CARGO_TARGET_DIR/debug/hookbell, with
// hookbell-window next to it), the fake (FAKE_NOTIFICATIONS, default
// $CARGO_TARGET_DIR/debug/fake-notifications; built with `cargo build -p fake-notifications`),
// and Debian's webkit2gtk-driver (WebKitWebDriver), xvfb, dbus-daemon, x11-apps (xwd),
// x11-utils (xwininfo) and imagemagick (convert).

import { execFile, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { closeWindow } from "./x11.mjs";
import assert from "node:assert/strict";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

/** How long any one wait may take. */
export const TIMEOUT = 15_000;
/** How long the app may take from launch to a WebDriver session and an answering API. */
const START_TIMEOUT = 60_000;

const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache/hookbell/target");
export const APP = process.env.HOOKBELL_APP ?? join(target, "debug/hookbell");
const FAKE = process.env.FAKE_NOTIFICATIONS ?? join(target, "debug/fake-notifications");
/** Screenshots and logs of the last run (not kept in git). */
export const ARTIFACTS = process.env.DESKTOP_ARTIFACTS ?? join(here, "artifacts");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like sleep, but never keeps the process alive (for deadlines raced against an exit). */
const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Polls `check` until it returns something truthy, which it returns; fails after `timeout`
 * with `what` (a string, or a function giving one, for a message that shows the last state). */
export async function waitFor(check, what, timeout = TIMEOUT) {
  const until = Date.now() + timeout;
  let lastError;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  const message = typeof what === "function" ? what() : what;
  assert.fail(`timed out after ${timeout} ms waiting until ${message}${lastError ? ` (last error: ${lastError.message})` : ""}`);
}

/** Fails early, with the command to use, when not under Xvfb and a D-Bus session. */
export function checkEnvironment() {
  const command = 'xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- node --test --test-concurrency=1 tests/desktop';
  if (!process.env.DISPLAY) throw new Error(`no DISPLAY: run under Xvfb, e.g. ${command}`);
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error(`no D-Bus session bus: run under dbus-run-session, e.g. ${command}`);
  for (const [what, path] of [
    ["the app (build it, or set HOOKBELL_APP)", APP],
    ["fake-notifications (cargo build -p fake-notifications, or set FAKE_NOTIFICATIONS)", FAKE],
    ["the window program (cargo build -p hookbell-window)", join(dirname(APP), "hookbell-window")],
  ]) {
    if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `child` has exited (at once if it already has). */
function exited(child) {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", resolve),
  );
}

// ---------------------------------------------------------------------------------------------
// The fake notification service

/** Starts fake-notifications on the session bus; resolves once it owns the name. */
export async function startFakeNotifications() {
  checkEnvironment();
  const child = spawn(FAKE, [], { stdio: ["pipe", "pipe", "inherit"] });
  /** Every JSON line it printed, in order. */
  const events = [];
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    try {
      events.push(JSON.parse(line));
    } catch {
      events.push({ event: "unparsed", line });
    }
  });
  const ended = exited(child);
  await Promise.race([
    waitFor(() => events.some((e) => e.event === "ready"), "fake-notifications owns org.freedesktop.Notifications"),
    ended.then(() => assert.fail(`fake-notifications exited early (${child.exitCode}); is another notification daemon on this bus?`)),
  ]);
  const notifications = () => events.filter((e) => e.event === "notify");
  const describe = () => `notifications so far: ${JSON.stringify(notifications().map((n) => n.summary))}`;
  let commands = 0;

  return {
    events,
    /** Every `Notify` call so far. */
    notifications,
    /** Waits for a notification for which `pred` holds; returns it. */
    waitForNotification(pred, what = "a matching notification", timeout = TIMEOUT) {
      return waitFor(() => notifications().find(pred), () => `${what}; ${describe()}`, timeout);
    },
    /** Plays the user choosing `action` on notification `id` (`default` is a click on it). */
    async invoke(id, action) {
      commands += 1;
      const seen = events.filter((e) => e.event === "ok" || e.event === "error").length;
      child.stdin.write(`invoke ${id} ${action}\n`);
      const answer = await waitFor(
        () => events.filter((e) => e.event === "ok" || e.event === "error")[seen],
        `fake-notifications to answer "invoke ${id} ${action}"`,
      );
      assert.equal(answer.event, "ok", JSON.stringify(answer));
      assert.notEqual(answer.listening, false, `the app was not listening for the click on notification ${id}`);
    },
    async stop() {
      child.stdin.end();
      const done = await Promise.race([ended.then(() => true), deadline(5_000).then(() => false)]);
      if (!done) {
        child.kill("SIGKILL");
        await ended;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The app, through WebDriver

/** WebKitWebDriver (Debian's webkit2gtk-driver): WEBKIT_WEBDRIVER, else on PATH. */
const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER ?? "WebKitWebDriver";

/** The ids of `pid`'s living descendants, read from /proc. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process's command name (empty once it is gone). */
export function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Ends the processes `pids` (which this harness started): SIGTERM, then SIGKILL after 5 s. */
async function endAll(pids) {
  for (const pid of pids) signal(pid, "SIGTERM");
  const until = Date.now() + 5_000;
  while (Date.now() < until && pids.some(alive)) await sleep(50);
  for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
  while (pids.some(alive)) await sleep(50);
}

/** The `test` source's Standard Webhooks secret, asked of the app's API (hookbell.toml only
 * names it; the OS keychain or DATA_DIR/secrets.toml holds it); null when there is no such
 * source. */
async function testSecret(api) {
  const { status, body } = await api("GET", "/api/sources/test?reveal=true");
  return status === 200 && typeof body?.auth?.secret === "string" ? body.auth.secret : null;
}

/** The headers a Standard Webhooks sender attaches to `body` (as hookbell-core's Auth::sign). */
export function signStandardWebhooks(secret, body, msgId, now = new Date()) {
  const ts = Math.floor(now.getTime() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const sig = createHmac("sha256", key).update(`${msgId}.${ts}.`).update(body).digest("base64");
  return { "webhook-id": msgId, "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` };
}

/** A message id no other delivery has. */
export const newMsgId = () => `msg_${Date.now().toString(36)}${randomBytes(6).toString("hex")}`;

/**
 * Starts `hookbell --data-dir DIR --listen 127.0.0.1:PORT ...args` as a user does (no driver
 * in between), with a fresh data directory and fresh XDG config/data/cache homes (so that
 * remembered window state never leaks between runs). `dataDir` uses an existing data directory
 * instead (kept when the app stops). Resolves once the app's API answers and (unless
 * `--minimized` or `waitForUi: false`) its window's UI has booted.
 *
 * The app's window is `hookbell-window`, a process the app starts when the window must show
 * and that ends when it closes. WebDriver reaches it without launching anything: the app runs
 * with WEBKIT_INSPECTOR_SERVER (each window process's WebKit listens there for automation) and
 * TAURI_WEBVIEW_AUTOMATION (its web view accepts it), and a WebKitWebDriver started with
 * `--target` attaches a session to the window process of the moment. When the user's path
 * builds a new window, the next WebDriver command attaches a new session to it.
 */
export async function startApp({ args = [], name = "app", waitForUi = true, dataDir: existing } = {}) {
  checkEnvironment();
  mkdirSync(ARTIFACTS, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), `hookbell-desktop-${name}-`));
  const dataDir = existing ?? join(home, "data");
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const inspectorPort = await freePort();

  const appLog = join(ARTIFACTS, `${name}-app.log`);
  const driverLog = join(ARTIFACTS, `${name}-driver.log`);
  writeFileSync(appLog, "");
  writeFileSync(driverLog, "");
  const appEnv = {
      ...process.env,
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_DATA_HOME: join(home, "share"),
      XDG_CACHE_HOME: join(home, "cache"),
      XDG_STATE_HOME: join(home, "state"),
      RUST_LOG: process.env.RUST_LOG ?? "info",
      // No accessibility bus under Xvfb; spares GTK a timeout and a warning.
      NO_AT_BRIDGE: "1",
      // Under Xvfb (no GPU) WebKitGTK's DMA-BUF renderer leaves the X window's picture stale:
      // the DOM moves on, the screen (and WebDriver's screenshot) does not. The shared-memory
      // renderer paints every frame. The app's behaviour is the same either way.
      WEBKIT_DISABLE_DMABUF_RENDERER: process.env.WEBKIT_DISABLE_DMABUF_RENDERER ?? "1",
      // WebDriver's way in (see above); only the window process links WebKit.
      WEBKIT_INSPECTOR_SERVER: `127.0.0.1:${inspectorPort}`,
      TAURI_WEBVIEW_AUTOMATION: "true",
  };
  const child = spawn(APP, ["--data-dir", dataDir, "--listen", `127.0.0.1:${port}`, ...args], {
    env: appEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      log.push(line);
      writeFileSync(appLog, `${line}\n`, { flag: "a" });
    });
  }
  const appEnded = exited(child);
  /** The app's processes seen so far (to end them even if the app dies first). */
  let pids = [child.pid];

  /** One WebDriver call to the WebKitWebDriver at `wdBase`. */
  async function webdriverAt(wdBase, method, path, body, timeout = TIMEOUT) {
    const response = await fetch(wdBase + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`WebDriver ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    }
    if (!response.ok || json?.value?.error) {
      throw new Error(`WebDriver ${method} ${path}: ${response.status} ${JSON.stringify(json.value ?? json).slice(0, 500)}`);
    }
    return json.value;
  }

  /** The window process now (`hookbell-window` under the app), if any. */
  const windowPid = () => descendants(child.pid).find((pid) => comm(pid) === "hookbell-window" && alive(pid));

  /** The WebDriver session with the window process of the moment: { pid, driver, wdBase, path }. */
  let current = null;
  async function endSession() {
    const ending = current;
    current = null;
    if (!ending) return;
    await webdriverAt(ending.wdBase, "DELETE", ending.path, undefined, 5_000).catch(() => {});
    ending.driver.kill("SIGTERM");
    await Promise.race([exited(ending.driver), deadline(5_000)]);
    if (ending.driver.exitCode === null && ending.driver.signalCode === null) ending.driver.kill("SIGKILL");
  }
  /** A session with the window (waits until there is one: a test opens it as a user does). */
  async function session() {
    const pid = await waitFor(windowPid, "the app has a window process (a test opens the window as a user does)", START_TIMEOUT);
    if (current?.pid === pid) return current;
    await endSession();
    const driverPort = await freePort();
    const driver = spawn(WEBKIT_WEBDRIVER, [`--port=${driverPort}`, `--target=127.0.0.1:${inspectorPort}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [driver.stdout, driver.stderr]) {
      createInterface({ input: stream }).on("line", (line) => writeFileSync(driverLog, `${line}\n`, { flag: "a" }));
    }
    const wdBase = `http://127.0.0.1:${driverPort}`;
    try {
      // The window's WebKit listens for automation a moment after its process starts.
      const created = await waitFor(
        async () => {
          if (windowPid() !== pid) throw new Error("the window process changed");
          return (await webdriverAt(wdBase, "POST", "/session", { capabilities: { alwaysMatch: {} } }, 5_000)).sessionId;
        },
        `a WebDriver session with the window process ${pid}`,
        START_TIMEOUT,
      );
      current = { pid, driver, wdBase, path: `/session/${created}` };
      return current;
    } catch (error) {
      driver.kill("SIGKILL");
      throw error;
    }
  }
  /** A command to the window's page; follows the window to its new process when it was
   * closed and built again. */
  const command = async (method, suffix, body, timeout) => {
    const s = await session();
    try {
      return await webdriverAt(s.wdBase, method, s.path + suffix, body, timeout);
    } catch (error) {
      if (windowPid() === s.pid) throw error;
      const next = await session();
      return webdriverAt(next.wdBase, method, next.path + suffix, body, timeout);
    }
  };

  async function endApp() {
    await endSession();
    pids = [...new Set([...pids, ...descendants(child.pid)])];
    // Quit as a user's session does (SIGTERM: the engine stops cleanly, the window closes).
    child.kill("SIGTERM");
    await Promise.race([appEnded, deadline(10_000)]);
    await endAll(pids.filter(alive));
  }

  async function launch() {
    const failEarly = appEnded.then(() => {
      throw new Error(`the app exited (${child.exitCode ?? child.signalCode}):\n${log.slice(-30).join("\n")}`);
    });
    failEarly.catch(() => {});
    const lazy = args.includes("--minimized");

    const tokenFile = join(dataDir, "api-token");
    const token = await Promise.race([
      waitFor(() => existsSync(tokenFile) && readFileSync(tokenFile, "utf8").trim(), `the app writes ${tokenFile}`, START_TIMEOUT),
      failEarly,
    ]);
    const api = async (method, path, body) => {
      const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: response.status, body: json };
    };
    await Promise.race([
      waitFor(async () => (await api("GET", "/api/stats")).status === 200, `the app's API answers on ${base}`, START_TIMEOUT),
      failEarly,
    ]);
    const secret = await testSecret(api);

    /** X11 windows named like the app's, with their map state (xwininfo, from x11-utils). */
    async function xWindows() {
      const { stdout } = await run("xwininfo", ["-root", "-tree"]);
      const ids = [...stdout.matchAll(/^\s*(0x[0-9a-f]+) "([^"]*Hookbell[^"]*)"/gm)].map((m) => ({ id: m[1], name: m[2] }));
      const windows = [];
      for (const w of ids) {
        const { stdout: info } = await run("xwininfo", ["-id", w.id]);
        windows.push({ ...w, mapState: info.match(/Map State:\s*(\w+)/)?.[1] });
      }
      return windows;
    }

    const app = {
      base,
      dataDir,
      token,
      secret,
      api,
      /** The WebDriver session with the window of now (waits for a window). */
      session,
      /** The window's URL, as WebDriver reports it. */
      currentUrl: () => command("GET", "/url"),
      /** Runs `script` (a function body) in the window; resolves to what it returns. */
      execute: (script, args = []) => command("POST", "/execute/sync", { script, args }),
      /**
       * Whether the app's window is on screen: an X11 window named "Hookbell" is mapped and
       * viewable (xwininfo's "IsViewable"). X's map state is what tells a shown window from one
       * hidden to the tray: WebDriver reports a window rect for both.
       */
      async isWindowVisible() {
        app.lastWindows = await xWindows();
        return app.lastWindows.some((w) => w.mapState === "IsViewable");
      },
      /** What the last isWindowVisible() saw, for failure messages. */
      lastWindows: [],
      xWindows,
      /** Closes the window as a user does (the window manager's close button). */
      async closeWindow() {
        const shown = (await xWindows()).filter((w) => w.mapState === "IsViewable");
        assert.ok(shown.length > 0, "no window to close");
        for (const w of shown) await closeWindow(w.id);
      },
      /** Launches the app a second time on the same data directory, as a user starting it
       * again does; that launch hands over to the running app (which shows its window) and
       * exits. Resolves to the time it was started (ms since the epoch) once it has exited. */
      async launchAgain() {
        const at = Date.now();
        const second = spawn(APP, ["--data-dir", dataDir, "--listen", `127.0.0.1:${port}`], { env: appEnv, stdio: "ignore" });
        const done = exited(second);
        const finished = await Promise.race([done.then(() => true), deadline(TIMEOUT).then(() => false)]);
        if (!finished) {
          second.kill("SIGKILL");
          assert.fail("the second launch did not hand over to the running app and exit");
        }
        return at;
      },
      /** Saves the window (WebDriver) and the whole screen (xwd) as ARTIFACTS/{name}-window.png
       * and -screen.png; returns the paths written. */
      async screenshot(shotName) {
        const written = [];
        // Let the page paint what its DOM says: two animation frames.
        await command("POST", "/execute/async", {
          script: "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
          args: [],
        }).catch(() => {});
        try {
          const png = await command("GET", "/screenshot");
          const path = join(ARTIFACTS, `${shotName}-window.png`);
          writeFileSync(path, Buffer.from(png, "base64"));
          written.push(path);
        } catch (error) {
          writeFileSync(join(ARTIFACTS, `${shotName}-window.error.txt`), String(error));
        }
        const path = join(ARTIFACTS, `${shotName}-screen.png`);
        await run("sh", ["-c", 'xwd -root -silent | convert xwd:- "png:$1"', "sh", path]);
        written.push(path);
        return written;
      },
      /**
       * POSTs `payload` (an object or text) to /hooks/test, signed for the `test` source.
       * `msgId` repeats a delivery exactly (same id, same body) when given a previous one's.
       * Resolves to { status, body, msgId, alertId }.
       */
      async postDelivery(payload, { msgId = newMsgId(), source = "test" } = {}) {
        const raw = typeof payload === "string" ? payload : JSON.stringify(payload);
        const response = await fetch(`${base}/hooks/${source}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(secret ? signStandardWebhooks(secret, raw, msgId) : {}) },
          body: raw,
        });
        const text = await response.text();
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        return { status: response.status, body, msgId, alertId: body?.alerts?.[0] };
      },
      /** One alert from the API (GET /api/alerts/{id}). */
      async alert(id) {
        const { status, body } = await api("GET", `/api/alerts/${id}`);
        assert.equal(status, 200, JSON.stringify(body));
        return body.alert ?? body;
      },
      /** PATCH /api/settings; fails unless 200. */
      async settings(patch) {
        const { status, body } = await api("PATCH", "/api/settings", patch);
        assert.equal(status, 200, `PATCH /api/settings ${JSON.stringify(patch)}: ${status} ${JSON.stringify(body)}`);
        return body;
      },
      /** The ids of the app's processes: `hookbell` and everything under it (the window
       * process and WebKit's under it). */
      processes() {
        return alive(child.pid) ? [child.pid, ...descendants(child.pid)].filter(alive) : [];
      },
      /** The window process's id now, if any. */
      windowPid,
      /** Whether the app's own process (engine, tray, notifications) maps any of WebKit's
       * libraries; it never should: only the window process does. */
      mapsWebKit() {
        return /webkit|javascriptcore/i.test(readFileSync(`/proc/${child.pid}/maps`, "utf8"));
      },
      /** The ids of the app's WebKit web processes now (a web view's renderer, which ends with it). */
      webProcesses() {
        return app.processes().filter((pid) => comm(pid) === "WebKitWebProcess");
      },
      /** Milliseconds from `requestedAt` (ms since the epoch) to the page's first contentful
       * paint, once the window shows `title` (to when it was seen there where the engine reports
       * no paint timing). */
      async firstRender(requestedAt, title) {
        await waitFor(async () => (await app.execute("return document.body.innerText")).includes(title), `"${title}" is on the page`);
        const seen = Date.now();
        const paint = await app.execute(
          "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? performance.timeOrigin + p.startTime : null;",
        );
        return Math.round((paint ?? seen) - requestedAt);
      },
      /** Ends the WebDriver session and the app (as SIGTERM does: a clean quit); removes the
       * temp dirs. */
      async stop() {
        await endApp();
        if (!process.env.KEEP_DESKTOP_DIRS) rmSync(home, { recursive: true, force: true });
      },
    };
    // Learn the app's process ids while its parents are alive (to end it even if the driver dies).
    pids = [child.pid, ...descendants(child.pid)];
    // The UI has booted: it took its token from the URL (and scrubbed it) and drew its
    // navigation. Before that, moving the page elsewhere would lose the token.
    const uiBooted = () =>
      waitFor(
        () =>
          app.execute(
            "return document.readyState === 'complete' && !location.hash.includes('token=') && !!document.querySelector('nav')",
          ),
        "the UI has booted (token taken from the URL, navigation drawn)",
        START_TIMEOUT,
      );
    // Started --minimized there is no window yet: the test opens it as a user does.
    if (waitForUi && !lazy) await uiBooted();
    return app;
  }

  try {
    return await launch();
  } catch (error) {
    await endApp();
    if (!process.env.KEEP_DESKTOP_DIRS) rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

/** A generic alert body, with a title unique to this run. */
export function genericAlert({ severity = "high", title, subject = "alex@example.com", message } = {}) {
  return {
    type: "security.alert",
    title: title ?? `Sign-in from a new device (ref ${randomBytes(4).toString("hex")})`,
    severity,
    subject,
    message: message ?? "A sign-in from Firefox on Linux near Lisbon was blocked. If this was not you, change your password.",
    occurred_at: new Date().toISOString(),
  };
}

/** "HH:MM" on the local clock, `minutes` from now (wrapping around midnight). */
export function localHhMm(minutes = 0) {
  const at = new Date(Date.now() + minutes * 60_000);
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

/** The URL's fragment ("#/alerts/…"), or "" when none. */
export function fragment(url) {
  const at = url.indexOf("#");
  return at < 0 ? "" : url.slice(at);
}
