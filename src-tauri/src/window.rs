//! The inbox window, as this process sees it: `hookbell-window`, a program of its own (next to
//! this one) that holds the web view. This process never maps WebKit; [`Windows::show`] (the
//! tray's "Show", a notification click, a second launch, a start without `--minimized`)
//! starts the window process when there is none, or tells the running one where to go, and the
//! process ends when the user closes the window, taking all of WebKit's memory with it.
//!
//! The two talk over the window process's standard streams (see `hookbell-window`): this sends
//! `show URL` lines (the URL carries the API token in its fragment, so it never goes on a
//! command line), it answers `closed ROUTE` when the user closes it, and the next window
//! opens on that route. Before the engine is up the window starts with `--boot` on its own
//! "Starting Hookbell…" page, and [`Windows::engine_ready`] moves it to the UI.
//!
//! A `show` can cross a close: the user closes the window as a notification is clicked, and
//! the line reaches a process that is already ending. The window process says how many `show`
//! lines it carried out (`shown N`) as it ends; when that is fewer than were sent, the show
//! that was lost is made again in a new window, so a click never does nothing.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// How long [`Windows::show`] waits for a closing window's process to end before starting the
/// next one.
const CLOSING_TIMEOUT: Duration = Duration::from_secs(5);

/// The window program's path: `hookbell-window` next to this program (where `cargo build`, the
/// .deb, the AppImage and the macOS and Windows bundles put it).
pub fn program() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    Ok(me.with_file_name(format!("hookbell-window{}", std::env::consts::EXE_SUFFIX)))
}

/// The window process and where it should be.
pub struct Windows {
    program: PathBuf,
    state: Mutex<State>,
    /// Itself, for a window process's watcher to show a window again when a show was lost.
    me: Weak<Windows>,
}

#[derive(Default)]
struct State {
    /// The UI's address without a fragment, and the API token, once the engine is up.
    ui: Option<(String, String)>,
    /// A route asked for before the engine was up, taken when the window moves to the UI.
    pending: Option<String>,
    /// The running window process, if any.
    running: Option<Running>,
    /// The route the window was on when it was last closed.
    last: Arc<Mutex<Option<String>>>,
}

/// A window process: its standard input, and whether it has ended.
struct Running {
    stdin: ChildStdin,
    ended: Arc<Ended>,
}

impl Running {
    /// Sends a `show` line for `route` (carried in `url`, when there is one).
    fn show(&mut self, url: Option<&str>, route: Option<&str>) -> std::io::Result<()> {
        send(&mut self.stdin, url)?;
        self.ended.sent.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut wanted) = self.ended.wanted.lock() {
            *wanted = route.map(str::to_owned);
        }
        Ok(())
    }
}

/// Whether a window process has ended (or is closing: it said `closed`), and whether a show
/// sent to it was lost.
#[derive(Default)]
struct Ended {
    closing: Mutex<(bool, bool)>,
    changed: Condvar,
    /// `show` lines sent to it.
    sent: AtomicU64,
    /// The route of the last of them.
    wanted: Mutex<Option<String>>,
    /// This process no longer stands for the window: it was closed on purpose, or another
    /// took its place. A show it lost is not made again.
    let_go: AtomicBool,
    /// Whether it lost a show that was made again in a new window (decided before it is
    /// marked ended).
    shown_again: AtomicBool,
}

impl Ended {
    fn set(&self, closing: bool, ended: bool) {
        if let Ok(mut state) = self.closing.lock() {
            state.0 |= closing;
            state.1 |= ended;
        }
        self.changed.notify_all();
    }

    fn closing(&self) -> bool {
        self.closing.lock().map(|s| s.0 || s.1).unwrap_or(true)
    }

    /// Waits until the process has ended, at most `timeout`.
    fn wait(&self, timeout: Duration) {
        if let Ok(state) = self.closing.lock() {
            let _ = self.changed.wait_timeout_while(state, timeout, |s| !s.1);
        }
    }
}

impl Windows {
    /// Windows of `program` (see [`program`]).
    pub fn new(program: PathBuf) -> Arc<Windows> {
        Arc::new_cyclic(|me| Windows {
            program,
            state: Mutex::new(State::default()),
            me: me.clone(),
        })
    }

    /// Brings the window forward, on `route` if given (a UI fragment such as
    /// `#/alerts/{id}`), else on the route it was on when it was last closed; starts its
    /// process when there is none.
    pub fn show(&self, route: Option<&str>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let started = Instant::now();
        if let Some(mut running) = state.running.take() {
            if !running.ended.closing() {
                let url = match (&state.ui, route) {
                    (Some((base, token)), Some(route)) => {
                        Some(ui_address(base, token, Some(route)))
                    }
                    _ => None,
                };
                if route.is_some() && state.ui.is_none() {
                    state.pending = route.map(str::to_owned);
                }
                if running.show(url.as_deref(), route).is_ok() {
                    state.running = Some(running);
                    return;
                }
            }
            // It is closing (the user closed it as this was asked): let it end, then start
            // the next one, so that there is never more than one window.
            running.ended.let_go.store(true, Ordering::SeqCst);
            drop(running.stdin);
            running.ended.wait(CLOSING_TIMEOUT);
        }
        let last = state.last.lock().ok().and_then(|l| l.clone());
        let route = route.map(str::to_owned).or(last);
        match self.start(&mut state, route.as_deref()) {
            Ok(running) => {
                tracing::info!(
                    route = route.as_deref().unwrap_or("#/"),
                    elapsed_ms = started.elapsed().as_millis(),
                    "window: process started"
                );
                state.running = Some(running);
            }
            Err(e) => {
                tracing::error!(error = %e, program = %self.program.display(), "could not open the window");
            }
        }
    }

    /// Starts the window process on `route` (on its start page while the engine is not up).
    fn start(&self, state: &mut State, route: Option<&str>) -> std::io::Result<Running> {
        let mut command = Command::new(&self.program);
        if crate::gl_turned_off() {
            command.env_remove("GDK_GL");
        }
        command.env_remove(crate::PURGE_DELAY);
        if state.ui.is_none() {
            command.arg("--boot");
            state.pending = route.map(str::to_owned);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the window's standard streams"));
        };
        let mut running = Running {
            stdin,
            ended: Arc::new(Ended::default()),
        };
        if let Some((base, token)) = &state.ui {
            running.show(Some(&ui_address(base, token, route)), route)?;
        }
        let watch = Arc::clone(&running.ended);
        let last = Arc::clone(&state.last);
        let windows = self.me.clone();
        std::thread::Builder::new()
            .name("window".into())
            .spawn(move || follow(child, stdout, &watch, &last, &windows))?;
        Ok(running)
    }

    /// The engine is up at `open_url` (its address with the token in the fragment): remembers
    /// it for windows to come, and moves a window on the start page to it.
    pub fn engine_ready(&self, open_url: &str) {
        let (base, fragment) = open_url.split_once('#').unwrap_or((open_url, ""));
        let token = fragment.strip_prefix("token=").unwrap_or_default();
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.ui = Some((base.to_owned(), token.to_owned()));
        let pending = state.pending.take();
        let url = ui_address(base, token, pending.as_deref());
        if let Some(running) = &mut state.running
            && let Err(e) = running.show(Some(&url), pending.as_deref())
        {
            tracing::warn!(error = %e, "window: could not move it to the UI");
        }
    }

    /// Closes the window (its process ends when its standard input does).
    pub fn close(&self) {
        if let Ok(mut state) = self.state.lock()
            && let Some(running) = state.running.take()
        {
            running.ended.let_go.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a window process runs now.
    pub fn is_open(&self) -> bool {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.running.as_ref().map(|r| !r.ended.closing()))
            .unwrap_or(false)
    }
}

/// Writes a `show` command.
fn send(stdin: &mut ChildStdin, url: Option<&str>) -> std::io::Result<()> {
    match url {
        Some(url) => writeln!(stdin, "show {url}")?,
        None => writeln!(stdin, "show")?,
    }
    stdin.flush()
}

/// Reads the window process's answers until it ends, then reaps it; shows the window again
/// when a show sent to it was lost ([`lost_a_show`]).
fn follow(
    mut child: Child,
    stdout: std::process::ChildStdout,
    ended: &Ended,
    last: &Mutex<Option<String>>,
    windows: &Weak<Windows>,
) {
    let mut shown = 0;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(route) = line.strip_prefix("closed") {
            let route = route.trim();
            if let Ok(mut last) = last.lock() {
                *last = (!route.is_empty()).then(|| route.to_owned());
            }
            ended.set(true, false);
        } else if let Some(count) = line.strip_prefix("shown ") {
            shown = count.trim().parse().unwrap_or(shown);
        }
    }
    let success = match child.wait() {
        Ok(status) if status.success() => {
            tracing::info!("window: closed, its process ended");
            true
        }
        Ok(status) => {
            tracing::warn!(%status, "window: its process ended");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "window: could not wait for its process");
            false
        }
    };
    let again = lost_a_show(
        success,
        ended.let_go.load(Ordering::SeqCst),
        ended.sent.load(Ordering::SeqCst),
        shown,
    );
    ended.shown_again.store(again, Ordering::SeqCst);
    ended.set(true, true);
    if again && let Some(windows) = windows.upgrade() {
        let route = ended.wanted.lock().ok().and_then(|w| w.clone());
        tracing::info!(
            route = route.as_deref().unwrap_or("#/"),
            "window: a show crossed its close; showing it again"
        );
        windows.show(route.as_deref());
    }
}

/// Whether a window process that ended lost a show that must be made again: it ended well (a
/// window that crashed is not started again and again), nobody closed it on purpose, it was a
/// working window (it carried out a show), and it carried out fewer than it was sent.
fn lost_a_show(success: bool, let_go: bool, sent: u64, shown: u64) -> bool {
    success && !let_go && shown >= 1 && sent > shown
}

/// The address a window opens: the UI at `base` on `route` (a fragment such as
/// `#/alerts/{id}`), with the token in the fragment as the UI expects it (`#/route&token=T`,
/// or `#token=T`).
pub fn ui_address(base: &str, token: &str, route: Option<&str>) -> String {
    let fragment = fragment(route, token);
    if fragment.is_empty() {
        base.to_owned()
    } else {
        format!("{base}#{fragment}")
    }
}

/// The UI's fragment, without its `#`: `route&token=T`, `token=T`, `route`, or empty.
fn fragment(route: Option<&str>, token: &str) -> String {
    let route = route
        .map(|r| r.trim_start_matches('#'))
        .filter(|r| !r.is_empty());
    match (route, token.is_empty()) {
        (Some(route), true) => route.to_owned(),
        (Some(route), false) => format!("{route}&token={token}"),
        (None, true) => String::new(),
        (None, false) => format!("token={token}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:7787/";

    #[test]
    fn a_new_window_opens_on_the_route_with_the_token() {
        assert_eq!(
            ui_address(BASE, "T0k", Some("#/alerts/a1")),
            "http://127.0.0.1:7787/#/alerts/a1&token=T0k"
        );
        assert_eq!(
            ui_address(BASE, "T0k", None),
            "http://127.0.0.1:7787/#token=T0k"
        );
        assert_eq!(
            ui_address(BASE, "", Some("#/alerts/a1")),
            "http://127.0.0.1:7787/#/alerts/a1"
        );
        assert_eq!(ui_address(BASE, "", None), "http://127.0.0.1:7787/");
    }

    #[test]
    fn only_a_working_window_that_ended_well_with_shows_left_undone_is_shown_again() {
        assert!(lost_a_show(true, false, 2, 1));
        assert!(!lost_a_show(true, false, 1, 1), "every show carried out");
        assert!(
            !lost_a_show(true, true, 2, 1),
            "closed on purpose, or replaced"
        );
        assert!(
            !lost_a_show(false, false, 2, 1),
            "crashed: not started again"
        );
        assert!(!lost_a_show(true, false, 1, 0), "never showed anything");
    }

    /// A stand-in for `hookbell-window`: a script that logs each start and each line it reads
    /// to `dir`, then acts as `first` says the first time and stays open (as a window does)
    /// every later time.
    #[cfg(unix)]
    fn fake_window(dir: &std::path::Path, first: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let log = dir.join("log");
        let program = dir.join("hookbell-window");
        let script = format!(
            "#!/bin/sh\necho start >> '{log}'\nif [ \"$(grep -c start '{log}')\" -eq 1 ]; then\n{first}\nexit 0\nfi\nn=0\nwhile read -r line; do echo \"$line\" >> '{log}'; n=$((n+1)); done\necho \"shown $n\"\n",
            log = log.display()
        );
        std::fs::write(&program, script).unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
        program
    }

    /// Waits until `done` holds, at most 10 s.
    #[cfg(unix)]
    fn wait_for(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_show_that_crosses_the_close_opens_a_new_window_on_its_route() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // The first window carries out its first show, then is closed by its user as the
        // second arrives: it reads it, but ends without carrying it out.
        let program = fake_window(
            dir.path(),
            "read -r line; echo \"$line\" >> \"$(dirname \"$0\")/log\"; read -r line; echo 'closed #/inbox'; echo 'shown 1'",
        );
        let windows = Windows::new(program);
        windows.engine_ready("http://127.0.0.1:7787/#token=T0k");
        windows.show(Some("#/alerts/a1"));
        windows.show(Some("#/alerts/a2"));
        let log = dir.path().join("log");
        let read = || std::fs::read_to_string(&log).unwrap_or_default();
        wait_for("a second window on the lost route", || {
            let log = read();
            log.lines().filter(|l| *l == "start").count() == 2
                && log.ends_with("start\nshow http://127.0.0.1:7787/#/alerts/a2&token=T0k\n")
        });
        assert!(windows.is_open());
        windows.close();
    }

    #[cfg(unix)]
    #[test]
    fn a_window_closed_after_every_show_is_not_opened_again() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let program = fake_window(
            dir.path(),
            "read -r line; echo 'closed #/inbox'; echo 'shown 1'",
        );
        let windows = Windows::new(program);
        windows.engine_ready("http://127.0.0.1:7787/#token=T0k");
        windows.show(Some("#/alerts/a1"));
        let ended = windows
            .state
            .lock()
            .ok()
            .and_then(|s| s.running.as_ref().map(|r| Arc::clone(&r.ended)))
            .unwrap_or_else(|| panic!("no window process"));
        wait_for("the window process to end", || {
            ended.closing.lock().map(|s| s.1).unwrap_or(false)
        });
        assert!(!ended.shown_again.load(Ordering::SeqCst));
        let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
        assert_eq!(log.lines().filter(|l| *l == "start").count(), 1, "{log}");
        assert!(!windows.is_open());
    }

    #[test]
    fn a_missing_window_program_opens_nothing_and_fails_nothing() {
        let windows = Windows::new(PathBuf::from("/nonexistent/hookbell-window"));
        windows.engine_ready("http://127.0.0.1:7787/#token=T0k");
        windows.show(Some("#/alerts/a1"));
        assert!(!windows.is_open());
    }
}
