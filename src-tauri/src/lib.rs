//! Hookbell's desktop shell. It holds no domain logic: it starts the engine (the same
//! [`hookbell_server::App`] as `hookbelld`) on Tauri's async runtime, shows the inbox UI the
//! engine serves in a window, turns the engine's notifications into native ones
//! ([`notifications`]), keeps a tray with the unread count ([`tray`]), and stops the engine
//! cleanly on Quit ([`lifecycle`]).
#![forbid(unsafe_code)]

pub mod badge;
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
            // Closing the window only hides it; Hookbell keeps running in the tray.
            api.prevent_exit();
        } else if let RunEvent::Exit = event {
            lifecycle::wait_stopped(app);
        }
    });
    Ok(())
}

/// Starts the engine and everything that follows it. Runs in `setup`, after the
/// single-instance check, so a second launch never tries to bind the port.
fn start(handle: &tauri::AppHandle, launch: &Launch) -> anyhow::Result<()> {
    let engine_app = tauri::async_runtime::block_on(App::open(Options {
        data_dir: Some(launch.data_dir.clone()),
        config_file: None,
        listen: launch.listen,
        log_file: Some(launch.log_file.clone()),
    }))?;
    let engine = engine_app.engine().clone();
    let local = engine_app.local_addr();
    let open_url = engine_app.state().open_url();
    {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "hookbell listening on http://{local}");
    }
    tracing::info!(data_dir = %launch.data_dir.display(), %local, "engine ready");
    lifecycle::serve(handle, engine_app);

    window::create(handle, &open_url, !launch.minimized)?;
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
