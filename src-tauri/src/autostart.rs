//! Start at login, as tauri-plugin-autostart did it (the same entries, so a choice made with an
//! earlier version stays): an XDG autostart entry `Hookbell.desktop` on Linux (the AppImage's
//! path when run from one), a launch agent on macOS, the Run key on Windows; each starts
//! `hookbell --minimized`.

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

/// The entry's name.
const NAME: &str = "Hookbell";

fn launcher() -> Option<AutoLaunch> {
    let exe = std::env::current_exe().ok()?;
    #[cfg(target_os = "linux")]
    let path = std::env::var_os("APPIMAGE")
        .and_then(|p| p.into_string().ok())
        .unwrap_or_else(|| exe.display().to_string());
    #[cfg(target_os = "macos")]
    let path = exe.canonicalize().unwrap_or(exe).display().to_string();
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    let path = exe.display().to_string();
    let mut builder = AutoLaunchBuilder::new();
    builder
        .set_app_name(NAME)
        .set_app_path(&path)
        .set_args(&["--minimized"]);
    #[cfg(target_os = "macos")]
    builder.set_use_launch_agent(true);
    match builder.build() {
        Ok(launcher) => Some(launcher),
        Err(e) => {
            tracing::warn!(error = %e, "start at login is not available");
            None
        }
    }
}

/// Whether Hookbell starts at login.
pub fn is_enabled() -> bool {
    launcher().is_some_and(|l| l.is_enabled().unwrap_or(false))
}

/// Turns start at login on or off.
pub fn set(enabled: bool) {
    let Some(launcher) = launcher() else { return };
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not change start at login");
    }
}
