//! Hookbell's desktop shell. It holds no domain logic: it starts the engine (the same
//! [`hookbell_server::App`] as `hookbelld`) on Tauri's async runtime, shows the inbox UI the
//! engine serves in a window, turns the engine's notifications into native ones
//! ([`notifications`]), keeps a tray with the unread count ([`tray`]), and stops the engine
//! cleanly on Quit ([`lifecycle`]).
#![forbid(unsafe_code)]

pub mod badge;
pub mod click;
pub mod lifecycle;
pub mod logging;
pub mod notifications;
pub mod tray;
pub mod window;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use hookbell_server::{App, Options};
use tauri::{Manager, RunEvent};

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

/// Builds and runs the app until Quit.
pub fn run(launch: Launch) -> anyhow::Result<()> {
    let app = tauri::Builder::default()
        // First, so a second launch hands over to the first before doing anything else.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app, None);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window::REMEMBERED)
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--minimized"]),
        ))
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            start(app.handle(), &launch)?;
            Ok(())
        })
        .on_window_event(window::on_event)
        .build(tauri::generate_context!())
        .context("starting the desktop app")?;
    app.run(|app, event| {
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            // Closing the window destroys it; Hookbell keeps running in the tray.
            api.prevent_exit();
        } else if let RunEvent::Exit = event {
            lifecycle::wait_stopped(app);
        }
    });
    Ok(())
}

/// Opens the window at once (unless `--minimized`: then no window and no web view until one is
/// asked for) and starts the engine beside it (WebKit starts while the store opens); [`ready`]
/// follows once the engine is up. Runs in `setup`, after the single-instance check, so a
/// second launch never tries to bind the port.
fn start(handle: &tauri::AppHandle, launch: &Launch) -> anyhow::Result<()> {
    window::init(handle);
    if !launch.minimized {
        window::create(handle, None)?;
    }
    let handle = handle.clone();
    let launch = launch.clone();
    tauri::async_runtime::spawn(async move {
        let opened = App::open(Options {
            data_dir: Some(launch.data_dir.clone()),
            config_file: None,
            listen: launch.listen,
            log_file: Some(launch.log_file.clone()),
            secrets: Default::default(),
        })
        .await;
        let main = handle.clone();
        let scheduled = main.run_on_main_thread(move || {
            let result = opened
                .map_err(anyhow::Error::from)
                .and_then(|engine_app| ready(&handle, &launch, engine_app));
            if let Err(e) = result {
                // As a failure in `setup` would: say why, and end.
                tracing::error!(error = %format!("{e:#}"), "could not start");
                {
                    use std::io::Write;
                    let _ = writeln!(std::io::stderr(), "hookbell: {e:#}");
                }
                handle.exit(1);
            }
        });
        if let Err(e) = scheduled {
            tracing::error!(error = %e, "could not finish starting");
        }
    });
    Ok(())
}

/// The engine is open: serve, show the UI, and start notifications and the tray.
fn ready(handle: &tauri::AppHandle, launch: &Launch, engine_app: App) -> anyhow::Result<()> {
    let engine = engine_app.engine().clone();
    let local = engine_app.local_addr();
    let open_url = engine_app.state().open_url();
    {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "hookbell listening on http://{local}");
    }
    tracing::info!(data_dir = %launch.data_dir.display(), %local, "engine ready");
    lifecycle::serve(handle, engine_app);
    window::open_ui(handle, &open_url)?;
    let notifier = notifications::Desktop::new(handle.clone(), engine.clone(), &launch.data_dir);
    tauri::async_runtime::spawn(hookbell_server::notifier::run(
        engine.clone(),
        Arc::new(notifier),
    ));
    tray::create(handle, &engine)?;
    tauri::async_runtime::spawn(tray::follow(handle.clone(), engine.clone()));
    handle.manage(engine);
    lifecycle::on_signals(handle);
    Ok(())
}
