//! `fake-notifications`: a stand-in for the desktop's notification daemon, for tests.
//!
//! It owns `org.freedesktop.Notifications` at `/org/freedesktop/Notifications` on the session
//! bus and implements the Desktop Notifications Specification 1.2 (what notify-rust speaks).
//! Nothing is shown: every call is written to stdout as one JSON line, and stdin plays the
//! user's part.
//!
//! stdout, one JSON object a line:
//! - `{"event":"ready"}` once the name is owned;
//! - `{"event":"notify","id":1,"replaces_id":0,"app_name":…,"summary":…,"body":…,"app_icon":…,
//!   "actions":["default","Open",…],"urgency":0|1|2|null,"category":…|null,
//!   "desktop_entry":…|null,"hints":[names],"expire_timeout":-1,"sender":":1.7","at_ms":…}`
//!   per `Notify`;
//! - `{"event":"close","id":…,"reason":2|3,"by":"client"|"stdin","at_ms":…}` per close;
//! - `{"event":"ok","cmd":…,"listening":true|false|null}` or
//!   `{"event":"error","cmd":…,"error":…}` per stdin command.
//!
//! stdin, one command a line:
//! - `invoke <id> <action_key>`: emits `ActionInvoked(id, action_key)`, then
//!   `NotificationClosed(id, 2)` (dismissed by the user), as a notification daemon does on a click;
//! - `close <id>`: emits `NotificationClosed(id, 3)`.
//!
//! Before emitting, a command waits (up to 5 s) until the connection that sent notification
//! `id` has a match rule for the signal, asked of the bus daemon (`GetAllMatchRules`): clients
//! such as notify-rust subscribe only after `Notify` returns, and a signal sent before that is
//! lost, where a person's click never comes that fast. `listening` in the answer says whether
//! the client was listening (`null`: the bus cannot tell).
//!
//! It exits when stdin closes.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::time::Instant;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value as Variant};

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// `NotificationClosed` reasons (spec: 1 expired, 2 dismissed by the user, 3 closed by a call to
/// `CloseNotification`, 4 undefined).
const DISMISSED: u32 = 2;
const CLOSED_BY_CALL: u32 = 3;

/// Writes one JSON line to stdout and flushes it, so a reader sees each event at once.
fn emit(event: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout means the reader is gone; there is nobody left to tell.
    let _ = writeln!(out, "{event}").and_then(|()| out.flush());
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The `urgency` hint: a byte by the spec; some senders use another integer type.
fn urgency(hints: &HashMap<String, OwnedValue>) -> Option<u8> {
    match &**hints.get("urgency")? {
        Variant::U8(n) => Some(*n),
        Variant::I16(n) => u8::try_from(*n).ok(),
        Variant::U16(n) => u8::try_from(*n).ok(),
        Variant::I32(n) => u8::try_from(*n).ok(),
        Variant::U32(n) => u8::try_from(*n).ok(),
        Variant::I64(n) => u8::try_from(*n).ok(),
        Variant::U64(n) => u8::try_from(*n).ok(),
        _ => None,
    }
}

fn string_hint(hints: &HashMap<String, OwnedValue>, name: &str) -> Option<String> {
    match &**hints.get(name)? {
        Variant::Str(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// The D-Bus object. In a module of its own because `zbus::interface` generates signal-emitting
/// traits without doc comments.
mod service {
    #![allow(missing_docs)]

    use super::{
        CLOSED_BY_CALL, HashMap, OwnedValue, SignalEmitter, emit, json, now_ms, string_hint,
        urgency,
    };
    use std::sync::{Arc, Mutex};
    use zbus::message::Header;

    /// The ids handed out so far, and who asked for each notification.
    #[derive(Debug, Default)]
    pub struct State {
        last_id: u32,
        /// The unique bus name of each notification's sender.
        pub senders: HashMap<u32, String>,
    }

    /// The `org.freedesktop.Notifications` object.
    #[derive(Debug, Clone, Default)]
    pub struct Notifications {
        pub state: Arc<Mutex<State>>,
    }

    #[zbus::interface(name = "org.freedesktop.Notifications", spawn = false)]
    impl Notifications {
        /// Records a notification and answers its id (ids count up from 1; a non-zero
        /// `replaces_id` is answered as is, replacing that notification).
        #[allow(clippy::too_many_arguments)]
        async fn notify(
            &self,
            app_name: String,
            replaces_id: u32,
            app_icon: String,
            summary: String,
            body: String,
            actions: Vec<String>,
            hints: HashMap<String, OwnedValue>,
            expire_timeout: i32,
            #[zbus(header)] header: Header<'_>,
        ) -> u32 {
            let sender = header.sender().map(|s| s.to_string());
            let id = {
                let mut state = self
                    .state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let id = if replaces_id != 0 {
                    state.last_id = state.last_id.max(replaces_id);
                    replaces_id
                } else {
                    state.last_id += 1;
                    state.last_id
                };
                if let Some(sender) = &sender {
                    state.senders.insert(id, sender.clone());
                }
                id
            };
            let mut hint_names: Vec<&str> = hints.keys().map(String::as_str).collect();
            hint_names.sort_unstable();
            emit(&json!({
                "event": "notify",
                "id": id,
                "replaces_id": replaces_id,
                "app_name": app_name,
                "summary": summary,
                "body": body,
                "app_icon": app_icon,
                "actions": actions,
                "urgency": urgency(&hints),
                "category": string_hint(&hints, "category"),
                "desktop_entry": string_hint(&hints, "desktop-entry"),
                "hints": hint_names,
                "expire_timeout": expire_timeout,
                "sender": sender,
                "at_ms": now_ms(),
            }));
            id
        }

        /// Closes a notification on the client's request.
        async fn close_notification(
            &self,
            id: u32,
            #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
        ) -> zbus::fdo::Result<()> {
            emit(
                &json!({"event": "close", "id": id, "reason": CLOSED_BY_CALL, "by": "client", "at_ms": now_ms()}),
            );
            Self::notification_closed(&emitter, id, CLOSED_BY_CALL).await?;
            Ok(())
        }

        /// What this server can do.
        async fn get_capabilities(&self) -> Vec<&'static str> {
            vec!["actions", "body", "icon-static", "persistence"]
        }

        /// Name, vendor, version and spec version.
        #[zbus(out_args("name", "vendor", "version", "spec_version"))]
        async fn get_server_information(
            &self,
        ) -> (&'static str, &'static str, &'static str, &'static str) {
            ("hookbell-fake", "hookbell", "1", "1.2")
        }

        /// A notification was closed (reason: 1 expired, 2 dismissed, 3 by call, 4 undefined).
        #[zbus(signal)]
        pub async fn notification_closed(
            emitter: &SignalEmitter<'_>,
            id: u32,
            reason: u32,
        ) -> zbus::Result<()>;

        /// The user chose an action (`default` is a click on the notification itself).
        #[zbus(signal)]
        pub async fn action_invoked(
            emitter: &SignalEmitter<'_>,
            id: u32,
            action_key: &str,
        ) -> zbus::Result<()>;
    }
}

use service::{Notifications, State};

/// How long `invoke` and `close` wait for the notification's sender to listen for signals.
const LISTEN_DEADLINE: Duration = Duration::from_secs(5);
/// After the bus has the sender's match rule, the client library may still be setting up the
/// stream that reads it (notify-rust adds its rules, then opens the stream); a person's click
/// never comes that fast either.
const LISTEN_GRACE: Duration = Duration::from_millis(50);

/// A match rule as the bus daemon lists it (`key='value',…`), as a map. Values are taken up to
/// their closing quote; the spec's `'\''` escape for an apostrophe does not occur in the keys
/// that matter here (names and paths).
fn parse_rule(rule: &str) -> HashMap<String, String> {
    let mut parts = HashMap::new();
    let mut rest = rule;
    while let Some((key, after)) = rest.split_once("='") {
        let (value, next) = after.split_once('\'').unwrap_or((after, ""));
        parts.insert(
            key.trim_start_matches(',').trim().to_owned(),
            value.to_owned(),
        );
        rest = next;
    }
    parts
}

/// Whether a match rule lets our `signal` through.
fn rule_matches(rule: &str, signal: &str) -> bool {
    let rule = parse_rule(rule);
    let allows = |key: &str, value: &str| rule.get(key).is_none_or(|v| v == value);
    allows("type", "signal")
        && allows("interface", NAME)
        && allows("member", signal)
        && allows("path", PATH)
        && !rule.keys().any(|k| k.starts_with("arg"))
}

/// Waits until the client that sent notification `id` listens for `signal` on the bus (asks
/// the bus daemon for every connection's match rules). Answers whether it does: `None` when the
/// bus cannot tell (no Debug.Stats interface) or the sender is unknown.
async fn wait_for_listener(
    connection: &zbus::Connection,
    state: &Arc<Mutex<State>>,
    id: u32,
    signal: &str,
) -> Option<bool> {
    let sender = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .senders
        .get(&id)
        .cloned()?;
    let until = Instant::now() + LISTEN_DEADLINE;
    loop {
        let reply = connection
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus.Debug.Stats"),
                "GetAllMatchRules",
                &(),
            )
            .await
            .ok()?;
        let rules: HashMap<String, Vec<String>> = reply.body().deserialize().ok()?;
        let listening = rules
            .get(&sender)
            .is_some_and(|rules| rules.iter().any(|r| rule_matches(r, signal)));
        if listening {
            tokio::time::sleep(LISTEN_GRACE).await;
            return Some(true);
        }
        if !rules.contains_key(&sender) || Instant::now() >= until {
            // Gone from the bus, or never listened.
            return Some(false);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs one stdin command; answers what to print.
async fn run_command(
    connection: &zbus::Connection,
    emitter: &SignalEmitter<'_>,
    state: &Arc<Mutex<State>>,
    line: &str,
) -> anyhow::Result<Value> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let id = |word: Option<&&str>| -> anyhow::Result<u32> {
        let word = word.context("missing the notification id")?;
        word.parse()
            .with_context(|| format!("{word:?} is not a notification id"))
    };
    match words.first().copied() {
        Some("invoke") => {
            let id = id(words.get(1))?;
            let Some(action) = words.get(2).copied() else {
                bail!("usage: invoke <id> <action_key>");
            };
            let listening = wait_for_listener(connection, state, id, "ActionInvoked").await;
            Notifications::action_invoked(emitter, id, action).await?;
            Notifications::notification_closed(emitter, id, DISMISSED).await?;
            emit(
                &json!({"event": "close", "id": id, "reason": DISMISSED, "by": "stdin", "at_ms": now_ms()}),
            );
            Ok(
                json!({"event": "ok", "cmd": "invoke", "id": id, "action_key": action, "listening": listening}),
            )
        }
        Some("close") => {
            let id = id(words.get(1))?;
            let listening = wait_for_listener(connection, state, id, "NotificationClosed").await;
            Notifications::notification_closed(emitter, id, CLOSED_BY_CALL).await?;
            emit(
                &json!({"event": "close", "id": id, "reason": CLOSED_BY_CALL, "by": "stdin", "at_ms": now_ms()}),
            );
            Ok(json!({"event": "ok", "cmd": "close", "id": id, "listening": listening}))
        }
        _ => bail!("unknown command (try: invoke <id> <action_key> | close <id>)"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let notifications = Notifications::default();
    let state = notifications.state.clone();
    let connection = zbus::connection::Builder::session()
        .context("no session bus (is DBUS_SESSION_BUS_ADDRESS set?)")?
        .name(NAME)?
        .serve_at(PATH, notifications)?
        .build()
        .await
        .with_context(|| {
            format!("claiming {NAME} on the session bus (is another notification daemon running?)")
        })?;
    let emitter = SignalEmitter::new(&connection, PATH)?;
    emit(&json!({"event": "ready"}));

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await.context("reading stdin")? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let answer = run_command(&connection, &emitter, &state, line)
            .await
            .unwrap_or_else(|e| json!({"event": "error", "cmd": line, "error": format!("{e:#}")}));
        emit(&answer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_rules_are_read_as_the_bus_writes_them() {
        let rule = "type='signal',interface='org.freedesktop.Notifications',member='ActionInvoked'";
        assert!(rule_matches(rule, "ActionInvoked"));
        assert!(!rule_matches(rule, "NotificationClosed"));
        // zbus proxies name the sender and the path; a catch-all rule lets everything through.
        let proxy = "type='signal',sender='org.freedesktop.Notifications',path='/org/freedesktop/Notifications',interface='org.freedesktop.Notifications',member='NotificationClosed'";
        assert!(rule_matches(proxy, "NotificationClosed"));
        assert!(rule_matches("type='signal'", "ActionInvoked"));
        // Another interface, or an argument filter (our first argument is not a string).
        assert!(!rule_matches(
            "type='signal',interface='org.freedesktop.DBus',member='NameOwnerChanged'",
            "ActionInvoked"
        ));
        assert!(!rule_matches(
            "type='signal',member='ActionInvoked',arg0='x'",
            "ActionInvoked"
        ));
        let parsed = parse_rule("type='signal',arg0='a,b',member='A'");
        assert_eq!(parsed.get("arg0").map(String::as_str), Some("a,b"));
        assert_eq!(parsed.get("member").map(String::as_str), Some("A"));
    }
}
