//! The engine's life inside the app: it serves on Tauri's async runtime from start-up until
//! Quit (the tray's, SIGTERM or SIGINT); Quit lets requests in flight finish and flushes the
//! store before the process ends.

use std::sync::Mutex;
use std::time::Duration;

use hookbell_server::App;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::oneshot;

/// The longest Quit waits for the engine to finish before the process ends anyway.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The running engine's stop switch and task.
struct Serving {
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// Serves `app` until [`quit`].
pub fn serve<R: Runtime>(handle: &AppHandle<R>, app: App) {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tauri::async_runtime::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        if let Err(e) = app.run(shutdown).await {
            tracing::error!(error = %e, "the engine stopped with an error");
        }
    });
    handle.manage(Serving {
        stop: Mutex::new(Some(stop)),
        task: Mutex::new(Some(task)),
    });
}

/// Stops the engine (requests in flight finish, the store is flushed), then ends the app.
pub fn quit<R: Runtime>(handle: &AppHandle<R>) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        stop_engine(&handle).await;
        handle.exit(0);
    });
}

async fn stop_engine<R: Runtime>(handle: &AppHandle<R>) {
    let Some(serving) = handle.try_state::<Serving>() else {
        return;
    };
    if let Some(stop) = serving.stop.lock().ok().and_then(|mut s| s.take()) {
        tracing::info!("quitting: stopping the engine");
        let _ = stop.send(());
    }
    let task = serving.task.lock().ok().and_then(|mut t| t.take());
    if let Some(task) = task
        && tokio::time::timeout(STOP_TIMEOUT, task).await.is_err()
    {
        tracing::error!("the engine did not stop within {STOP_TIMEOUT:?}");
    }
}

/// At the very end (an exit that did not go through [`quit`]): stop the engine and wait.
pub fn wait_stopped<R: Runtime>(handle: &AppHandle<R>) {
    tauri::async_runtime::block_on(stop_engine(handle));
}

/// Quits cleanly on SIGTERM and SIGINT.
pub fn on_signals<R: Runtime>(handle: &AppHandle<R>) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = term => {},
        }
        quit(&handle);
    });
}
