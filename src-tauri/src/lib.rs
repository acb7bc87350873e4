//! Hookbell's desktop shell. It holds no domain logic: it starts the engine (the same
//! [`hookbell_server::App`] as `hookbelld`) on a tokio runtime, turns the engine's
//! notifications into native ones ([`notifications`]), keeps a tray with the unread count
//! ([`tray`]), and stops the engine cleanly on Quit ([`lifecycle`]).
//!
//! This process never maps WebKit: the window is `hookbell-window`, a process of its own that
//! [`window::Windows`] starts when the window must show and that ends when the user closes it.
//! The tray is tao's event loop (GTK's main loop on Linux) with `tray-icon`'s icon and menu.
#![forbid(unsafe_code)]

pub mod autostart;
pub mod badge;
pub mod click;
pub mod instance;
pub mod lifecycle;
pub mod logging;
pub mod notifications;
pub mod tray;
pub mod window;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use hookbell_server::{App, Engine, Options};
use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};

/// The app's identifier: the bundle id on macOS, the AppUserModelID on Windows.
pub const IDENTIFIER: &str = "org.hookbell.desktop";

/// How the app was launched.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The address to listen on, if given.
    pub listen: Option<SocketAddr>,
    /// Start in the tray only.
    pub minimized: bool,
    /// Where the log goes (shown in About).
    pub log_file: PathBuf,
}

/// What the main thread's event loop is asked to do from other threads.
#[derive(Debug)]
pub enum UserEvent {
    /// Draw the tray (create it the first time).
    Tray(tray::View),
    /// End the process with this code (the engine has stopped).
    Exit(i32),
}

/// The shell's parts that every thread may use: the window process, the runtime the engine
/// runs on, the engine once it is up, and the way to the main thread.
#[derive(Clone)]
pub struct Shell {
    /// The window (a process of its own).
    pub windows: Arc<window::Windows>,
    runtime: tokio::runtime::Handle,
    events: Option<Arc<Mutex<EventLoopProxy<UserEvent>>>>,
    engine: Arc<std::sync::OnceLock<Engine>>,
    serving: Arc<lifecycle::Serving>,
}

impl Shell {
    /// A shell on `runtime` whose window is `windows`, without an event loop (for tests).
    pub fn new(windows: Arc<window::Windows>, runtime: tokio::runtime::Handle) -> Shell {
        Shell {
            windows,
            runtime,
            events: None,
            engine: Arc::default(),
            serving: Arc::default(),
        }
    }

    /// Runs `future` on the engine's runtime.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }

    /// The engine, once it is up.
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.get()
    }

    /// Hands `event` to the main thread.
    pub fn send(&self, event: UserEvent) {
        if let Some(events) = &self.events
            && let Ok(proxy) = events.lock()
            && proxy.send_event(event).is_err()
        {
            tracing::debug!("the event loop has ended");
        }
    }
}

/// mimalloc's option that `hookbell` sets for itself (see its `main`); not passed on to the window.
pub const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Whether [`turn_off_gl`] set `GDK_GL` (so the window process gets it back as it was).
static GL_TURNED_OFF: AtomicBool = AtomicBool::new(false);

/// GDK on X11 initializes OpenGL as it opens the display (to choose visuals for GL windows),
/// which loads Mesa, and with it LLVM for the software renderer: about 30 MB of PSS, 11 MB of it
/// anonymous, in a process that never draws with GL (a tray icon and its menu). `GDK_GL=disable`
/// stops that; set here before GTK starts (and before any thread), unless the user set
/// `GDK_GL` already. The window process, whose WebKit may use GL, does not inherit it.
fn turn_off_gl() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() && glib::setenv("GDK_GL", "disable", false).is_ok() {
        GL_TURNED_OFF.store(true, Ordering::Relaxed);
    }
}

/// Whether this process turned GDK's OpenGL off (see [`turn_off_gl`]).
pub fn gl_turned_off() -> bool {
    GL_TURNED_OFF.load(Ordering::Relaxed)
}

/// Runs the app until Quit. A second launch hands over to the running app ([`instance`]) and
/// returns at once.
pub fn run(launch: Launch) -> anyhow::Result<()> {
    let listener = match instance::claim(&launch.data_dir)? {
        instance::Claim::HandedOver => {
            tracing::info!("Hookbell is running already: asked it to show its window");
            return Ok(());
        }
        instance::Claim::First(listener) => listener,
    };
    turn_off_gl();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hookbell")
        .build()
        .context("starting the runtime")?;
    let event_loop = EventLoopBuilder::<UserEvent>::with_user_event().build();
    let mut shell = Shell::new(
        window::Windows::new(window::program()?),
        runtime.handle().clone(),
    );
    shell.events = Some(Arc::new(Mutex::new(event_loop.create_proxy())));

    // The window first (WebKit starts in its process while the store opens here), unless
    // started in the tray only.
    if !launch.minimized {
        shell.windows.show(None);
    }
    instance::serve(listener, shell.clone());
    tray::on_menu_events(shell.clone());
    start(&shell, launch);

    let mut tray = tray::Tray::default();
    let runtime = Some(runtime);
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        if let Event::UserEvent(event) = event {
            match event {
                UserEvent::Tray(view) => {
                    if let Err(e) = tray.show(&view) {
                        tracing::warn!(error = %e, "could not draw the tray");
                    }
                }
                UserEvent::Exit(code) => {
                    shell.windows.close();
                    if let Some(runtime) = &runtime {
                        runtime.block_on(lifecycle::stop_engine(&shell));
                    }
                    *control_flow = ControlFlow::ExitWithCode(code);
                }
            }
        }
    })
}

/// Opens the engine on the runtime; [`ready`] follows once it is up, or the app ends with the
/// reason.
fn start(shell: &Shell, launch: Launch) {
    let shell = shell.clone();
    let runtime = shell.runtime.clone();
    runtime.spawn(async move {
        let opened = App::open(Options {
            data_dir: Some(launch.data_dir.clone()),
            config_file: None,
            listen: launch.listen,
            log_file: Some(launch.log_file.clone()),
            secrets: Default::default(),
        })
        .await
        .map_err(anyhow::Error::from)
        .and_then(|engine_app| ready(&shell, &launch, engine_app));
        if let Err(e) = opened {
            tracing::error!(error = %format!("{e:#}"), "could not start");
            {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "hookbell: {e:#}");
            }
            shell.send(UserEvent::Exit(1));
        }
    });
}

/// The engine is open: serve, move the window (if any) to the UI, and start notifications and
/// the tray.
fn ready(shell: &Shell, launch: &Launch, engine_app: App) -> anyhow::Result<()> {
    let engine = engine_app.engine().clone();
    let local = engine_app.local_addr();
    let open_url = engine_app.state().open_url();
    {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "hookbell listening on http://{local}");
    }
    tracing::info!(data_dir = %launch.data_dir.display(), %local, "engine ready");
    let _ = shell.engine.set(engine.clone());
    lifecycle::serve(shell, engine_app);
    shell.windows.engine_ready(&open_url);
    let notifier = notifications::Desktop::new(shell.clone(), engine.clone(), &launch.data_dir);
    shell.spawn(hookbell_server::notifier::run(
        engine.clone(),
        Arc::new(notifier),
    ));
    tray::refresh(shell, &engine);
    shell.spawn(tray::follow(shell.clone(), engine));
    lifecycle::on_signals(shell);
    Ok(())
}
