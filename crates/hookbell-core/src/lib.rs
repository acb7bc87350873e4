//! Hookbell's domain, free of I/O: the [`Alert`] model, raw [`Delivery`]s, the [`Auth`]
//! verifiers, the provider adapters and the [`normalize`] step that turns bytes into alerts.
//!
//! Nothing here knows about HTTP, sled, tokio or Tauri; the store, the server and the desktop
//! shell build on these types.
#![forbid(unsafe_code)]

pub mod alert;
pub mod auth;
pub mod config;
pub mod delivery;
pub mod json;
pub mod lang;
pub mod mask;
pub mod normalize;
pub mod notify;
pub mod prose;
pub mod providers;
pub mod secret;
#[doc(hidden)]
pub mod testing;

pub use alert::{Alert, AlertPatch, MaskedValue, Severity, Status};
pub use auth::{Auth, AuthError};
pub use config::{Config, SmeeChannel, SourceConfig};
pub use delivery::{Delivery, Headers};
pub use lang::{Context, Lang};
pub use normalize::{BodyError, Normalized, normalize};
pub use notify::{Notification, NotificationSettings};
pub use providers::{NewAlert, Provider, Upstream};
pub use secret::Secret;
