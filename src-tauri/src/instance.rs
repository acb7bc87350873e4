//! One Hookbell per data directory: a second launch brings the running one's window forward and
//! ends. The running app listens on a loopback port of its own and writes the port and a random
//! key to `DATA_DIR/hookbell.instance` (readable by the user only); a launch that finds a
//! running app there sends it `KEY show` and ends once it answers `ok`. A stale file (the app
//! crashed) is simply replaced. Plain TCP on 127.0.0.1, so the same code serves every platform.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

use crate::Shell;

/// The file, in the data directory, that names the running app's port and key.
const FILE: &str = "hookbell.instance";
/// How long either side waits for the other.
const TIMEOUT: Duration = Duration::from_secs(5);

/// What [`claim`] found.
pub enum Claim {
    /// No app runs on this data directory: this one is it, listening here.
    First(Listener),
    /// The running app was asked to show its window.
    HandedOver,
}

/// The running app's end: where second launches knock, and the key they must know.
pub struct Listener {
    listener: TcpListener,
    key: String,
}

/// Hands over to the app running on `data_dir`, or becomes it.
pub fn claim(data_dir: &Path) -> anyhow::Result<Claim> {
    let file = data_dir.join(FILE);
    if let Ok(text) = std::fs::read_to_string(&file)
        && let Some((port, key)) = parse(&text)
        && knock(port, key).is_ok()
    {
        return Ok(Claim::HandedOver);
    }
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("listening for a second launch")?;
    let port = listener.local_addr()?.port();
    let key = random_key();
    write_private(&file, &format!("{port} {key}\n"))
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(Claim::First(Listener { listener, key }))
}

/// Asks the app on `port` to show its window; `Ok` once it said it did.
fn knock(port: u16, key: &str) -> std::io::Result<()> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    writeln!(stream, "{key} show")?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer.trim() == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other("not a Hookbell that knows this key"))
    }
}

/// Answers second launches, on a thread of its own, for the app's life.
pub fn serve(listener: Listener, shell: Shell) {
    let spawned = std::thread::Builder::new()
        .name("instance".into())
        .spawn(move || {
            for stream in listener.listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(TIMEOUT));
                let mut line = String::new();
                let Ok(mut reader) = stream.try_clone().map(BufReader::new) else {
                    continue;
                };
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                if is_show(&line, &listener.key) {
                    tracing::info!("second launch: showing the window");
                    shell.windows.show(None);
                    let _ = stream.write_all(b"ok\n");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "a second launch will not find this one");
    }
}

/// Whether `line` is a show request with the right key.
fn is_show(line: &str, key: &str) -> bool {
    line.trim()
        .strip_suffix(" show")
        .is_some_and(|k| !key.is_empty() && k == key)
}

/// The port and key in the instance file.
fn parse(text: &str) -> Option<(u16, &str)> {
    let mut parts = text.split_whitespace();
    let port = parts.next()?.parse().ok()?;
    let key = parts.next()?;
    Some((port, key))
}

/// 128 random bits, as hex (the standard library's hasher keys come from the OS's generator).
fn random_key() -> String {
    let half = || RandomState::new().build_hasher().finish();
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(half());
    format!("{:016x}{:016x}", half(), hasher.finish())
}

/// Writes `text` to `path`, readable by the user only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_file_and_requests() {
        assert_eq!(parse("4242 abc\n"), Some((4242, "abc")));
        assert_eq!(parse("x abc"), None);
        assert_eq!(parse("4242"), None);
        assert!(is_show("abc show\n", "abc"));
        assert!(!is_show("abd show\n", "abc"));
        assert!(!is_show(" show\n", ""));
        assert_ne!(random_key(), random_key());
        assert_eq!(random_key().len(), 32);
    }

    #[test]
    fn a_second_claim_hands_over_to_the_first() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let Ok(Claim::First(first)) = claim(dir.path()) else {
            panic!("the first claim must win");
        };
        // A stand-in for the running app: answers one show request.
        let key = first.key.clone();
        let answered = std::thread::spawn(move || {
            let (mut stream, _) = first.listener.accept().unwrap_or_else(|e| panic!("{e}"));
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
            reader
                .read_line(&mut line)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(is_show(&line, &key), "{line}");
            stream.write_all(b"ok\n").unwrap_or_else(|e| panic!("{e}"));
        });
        assert!(matches!(claim(dir.path()), Ok(Claim::HandedOver)));
        answered
            .join()
            .unwrap_or_else(|_| panic!("the stand-in failed"));
    }

    #[test]
    fn a_stale_instance_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // A port nobody listens on any more.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(FILE), format!("{port} k\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(claim(dir.path()), Ok(Claim::First(_))));
    }
}
