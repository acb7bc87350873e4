//! The engine's life inside the app: it serves on the shell's runtime from start-up until
//! Quit (the tray's, SIGTERM or SIGINT); Quit lets requests in flight finish and flushes the
//! store before the process ends.

use std::sync::Mutex;
use std::time::Duration;

use hookbell_server::App;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Shell, UserEvent};

/// The longest Quit waits for the engine to finish before the process ends anyway.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The running engine's stop switch and task.
#[derive(Default)]
pub struct Serving {
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// Serves `app` until [`quit`].
pub fn serve(shell: &Shell, app: App) {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = shell.spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        if let Err(e) = app.run(shutdown).await {
            tracing::error!(error = %e, "the engine stopped with an error");
        }
    });
    if let Ok(mut s) = shell.serving.stop.lock() {
        *s = Some(stop);
    }
    if let Ok(mut t) = shell.serving.task.lock() {
        *t = Some(task);
    }
}

/// Closes the window, stops the engine (requests in flight finish, the store is flushed), then
/// ends the app.
pub fn quit(shell: &Shell) {
    shell.windows.close();
    let shell = shell.clone();
    let ending = shell.clone();
    shell.spawn(async move {
        stop_engine(&ending).await;
        ending.send(UserEvent::Exit(0));
    });
}

/// Stops the engine and waits for it (at most [`STOP_TIMEOUT`]); does nothing the second time.
pub async fn stop_engine(shell: &Shell) {
    if let Some(stop) = shell.serving.stop.lock().ok().and_then(|mut s| s.take()) {
        tracing::info!("quitting: stopping the engine");
        let _ = stop.send(());
    }
    let task = shell.serving.task.lock().ok().and_then(|mut t| t.take());
    if let Some(task) = task
        && tokio::time::timeout(STOP_TIMEOUT, task).await.is_err()
    {
        tracing::error!("the engine did not stop within {STOP_TIMEOUT:?}");
    }
}

/// Quits cleanly on SIGTERM and SIGINT.
pub fn on_signals(shell: &Shell) {
    let ending = shell.clone();
    shell.spawn(async move {
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
        quit(&ending);
    });
}
