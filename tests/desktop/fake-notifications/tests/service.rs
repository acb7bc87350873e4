//! The real `fake-notifications` binary on a private session bus (its own `dbus-daemon`), driven
//! through zbus the way notify-rust drives a notification daemon.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use zbus::zvariant::Value as Variant;

/// How long any one wait may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// The client's side of the spec, as notify-rust calls it.
mod client {
    #![allow(missing_docs)]

    use std::collections::HashMap;
    use zbus::zvariant::Value;

    #[zbus::proxy(
        interface = "org.freedesktop.Notifications",
        default_service = "org.freedesktop.Notifications",
        default_path = "/org/freedesktop/Notifications"
    )]
    pub trait Notifications {
        #[allow(clippy::too_many_arguments)]
        fn notify(
            &self,
            app_name: &str,
            replaces_id: u32,
            app_icon: &str,
            summary: &str,
            body: &str,
            actions: &[&str],
            hints: HashMap<&str, &Value<'_>>,
            expire_timeout: i32,
        ) -> zbus::Result<u32>;

        fn close_notification(&self, id: u32) -> zbus::Result<()>;

        fn get_capabilities(&self) -> zbus::Result<Vec<String>>;

        fn get_server_information(&self) -> zbus::Result<(String, String, String, String)>;

        #[zbus(signal)]
        fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

        #[zbus(signal)]
        fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
    }
}

/// Waits for `what` until the deadline.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(DEADLINE, future)
        .await
        .with_context(|| format!("timed out after {DEADLINE:?} waiting for {what}"))
}

/// A private session bus; the daemon dies with this value.
struct Bus {
    _daemon: Child,
    address: String,
}

impl Bus {
    async fn start() -> anyhow::Result<Bus> {
        let mut daemon = Command::new("dbus-daemon")
            .args([
                "--session",
                "--nofork",
                "--print-address=1",
                "--address=unix:tmpdir=/tmp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting dbus-daemon (Debian package dbus-daemon)")?;
        let stdout = daemon.stdout.take().context("dbus-daemon's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = within("dbus-daemon to print its address", lines.next_line())
            .await??
            .context("dbus-daemon ended without printing its address")?;
        Ok(Bus {
            _daemon: daemon,
            address: address.trim().to_owned(),
        })
    }
}

/// The service under test, with its JSON lines.
struct Fake {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Fake {
    async fn start(bus: &Bus) -> anyhow::Result<Fake> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fake-notifications"))
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting fake-notifications")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the fake's stdout")?;
        let mut fake = Fake {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
        };
        let ready = fake.next_event().await?;
        ensure!(ready == json!({"event": "ready"}), "first line: {ready}");
        Ok(fake)
    }

    /// The next JSON line on stdout.
    async fn next_event(&mut self) -> anyhow::Result<Value> {
        let line = within("a line from fake-notifications", self.lines.next_line())
            .await??
            .context("fake-notifications closed its stdout")?;
        serde_json::from_str(&line).with_context(|| format!("not JSON: {line}"))
    }

    async fn command(&mut self, line: &str) -> anyhow::Result<()> {
        let stdin = self.stdin.as_mut().context("stdin already closed")?;
        stdin.write_all(format!("{line}\n").as_bytes()).await?;
        stdin.flush().await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_notifications_and_plays_clicks() -> anyhow::Result<()> {
    let bus = Bus::start().await?;
    let mut fake = Fake::start(&bus).await?;

    let connection = zbus::connection::Builder::address(bus.address.as_str())?
        .build()
        .await?;
    let proxy = client::NotificationsProxy::new(&connection).await?;
    let mut invoked = proxy.receive_action_invoked().await?;
    let mut closed = proxy.receive_notification_closed().await?;

    assert_eq!(
        proxy.get_server_information().await?,
        (
            "hookbell-fake".into(),
            "hookbell".into(),
            "1".into(),
            "1.2".into()
        )
    );
    assert_eq!(
        proxy.get_capabilities().await?,
        ["actions", "body", "icon-static", "persistence"]
    );

    // A notification as the app sends one: actions, a byte urgency, a category.
    let urgency = Variant::U8(2);
    let category = Variant::from("security");
    let hints = HashMap::from([("urgency", &urgency), ("category", &category)]);
    let before_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let id = proxy
        .notify(
            "Hookbell",
            0,
            "/usr/share/icons/hookbell.png",
            "Critical · Password found in a breach",
            "alex@example.com",
            &["default", "Open", "read", "Mark as read"],
            hints,
            -1,
        )
        .await?;
    assert_eq!(id, 1, "ids start at 1");
    let mut notify = fake.next_event().await?;
    let fields = notify.as_object_mut().context("an object")?;
    let at_ms = fields
        .remove("at_ms")
        .and_then(|v| v.as_u64())
        .context("at_ms")?;
    let sender = fields.remove("sender").context("sender")?;
    assert_eq!(
        sender.as_str(),
        connection.unique_name().map(|n| n.as_str()),
        "the sender is the client's connection"
    );
    assert!(
        u128::from(at_ms) >= before_ms,
        "at_ms {at_ms} < {before_ms}"
    );
    assert_eq!(
        notify,
        json!({
            "event": "notify", "id": 1, "replaces_id": 0, "app_name": "Hookbell",
            "summary": "Critical · Password found in a breach", "body": "alex@example.com",
            "app_icon": "/usr/share/icons/hookbell.png",
            "actions": ["default", "Open", "read", "Mark as read"],
            "urgency": 2, "category": "security", "desktop_entry": null,
            "hints": ["category", "urgency"], "expire_timeout": -1,
        })
    );

    // Ids count up; replaces_id is answered as is.
    let second = proxy
        .notify("Hookbell", 0, "", "Low · b", "", &[], HashMap::new(), 5000)
        .await?;
    assert_eq!(second, 2);
    let event = fake.next_event().await?;
    assert_eq!((&event["id"], &event["urgency"]), (&json!(2), &Value::Null));
    let replaced = proxy
        .notify(
            "Hookbell",
            2,
            "",
            "Low · b again",
            "",
            &[],
            HashMap::new(),
            5000,
        )
        .await?;
    assert_eq!(replaced, 2);
    let event = fake.next_event().await?;
    assert_eq!(
        (&event["id"], &event["replaces_id"]),
        (&json!(2), &json!(2))
    );

    // A click: ActionInvoked, then NotificationClosed(id, 2 = dismissed).
    fake.command(&format!("invoke {id} default")).await?;
    let signal = within("ActionInvoked", invoked.next())
        .await?
        .context("the ActionInvoked stream ended")?;
    let args = signal.args()?;
    assert_eq!((args.id, args.action_key.as_str()), (1, "default"));
    let signal = within("NotificationClosed", closed.next())
        .await?
        .context("the NotificationClosed stream ended")?;
    let args = signal.args()?;
    assert_eq!((args.id, args.reason), (1, 2));
    let event = fake.next_event().await?;
    assert_eq!(
        (&event["event"], &event["id"], &event["reason"]),
        (&json!("close"), &json!(1), &json!(2))
    );
    assert_eq!(
        fake.next_event().await?,
        json!({"event": "ok", "cmd": "invoke", "id": 1, "action_key": "default", "listening": true})
    );

    // CloseNotification from the client: NotificationClosed(id, 3) and a close line.
    proxy.close_notification(2).await?;
    let signal = within("NotificationClosed", closed.next())
        .await?
        .context("the NotificationClosed stream ended")?;
    let args = signal.args()?;
    assert_eq!((args.id, args.reason), (2, 3));
    let event = fake.next_event().await?;
    assert_eq!(
        (&event["event"], &event["by"], &event["reason"]),
        (&json!("close"), &json!("client"), &json!(3))
    );

    // A bad command is answered, not fatal.
    fake.command("frobnicate 1").await?;
    let event = fake.next_event().await?;
    if event["event"] != "error" {
        bail!("expected an error line, got {event}");
    }

    // Closing stdin ends it, cleanly.
    drop(fake.stdin.take());
    let status = within("fake-notifications to exit", fake.child.wait()).await??;
    assert!(status.success(), "exit status {status}");
    Ok(())
}
