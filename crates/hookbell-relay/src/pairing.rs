//! Who may pair (`POST /v1/channels`). A relay on the internet that pairs anyone can be filled
//! with channels by anyone, so by default a desktop must show, as `Authorization: Bearer
//! <code>`, either the operator's pairing secret (compared in constant time, over SHA-256
//! digests so the length leaks nothing) or a single-use invite code the operator made
//! (`hookbell-relay invite`); `--open-pairing` (`[pairing] open = true`) lets anyone pair.
//!
//! Invites are kept by [`Invites`]: only the SHA-256 of each code and its expiry, never the
//! code. [`InviteDir`] keeps them as files in the data directory (the embedded backend;
//! `hookbell-relay invite` adds one while the relay runs); the NATS backend keeps them in a
//! key-value bucket every relay node sees.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{RelayError, Result};
use crate::queue::WriteFuture;

/// Every invite code starts with this, so a pasted code is recognisable.
pub const INVITE_PREFIX: &str = "hbi_";
/// The shortest pairing secret accepted (characters).
pub const MIN_SECRET_LEN: usize = 16;

/// Where invites wait to be redeemed.
pub trait Invites: Send + Sync + 'static {
    /// Keeps an invite, by its code's SHA-256 (hex), until `expires_at`; durable when it
    /// resolves.
    fn put_invite(&self, code_sha256: &str, expires_at: DateTime<Utc>) -> WriteFuture<()>;
    /// Redeems an invite: true for exactly one caller when it exists and has not expired. It
    /// is gone afterwards either way.
    fn redeem_invite(&self, code_sha256: &str) -> WriteFuture<bool>;
}

/// SHA-256 of a code, hex.
pub fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// A new invite code: [`INVITE_PREFIX`] and 144 random bits.
pub fn new_invite_code() -> Result<String> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes)
        .map_err(|e| RelayError::Io(std::io::Error::other(format!("no randomness: {e}"))))?;
    Ok(format!("{INVITE_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Reads a pairing secret: the file's first line, trimmed; refused when shorter than
/// [`MIN_SECRET_LEN`].
pub fn read_secret(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        RelayError::Config(format!("the pairing secret file {}: {e}", path.display()))
    })?;
    let secret = text.lines().next().unwrap_or("").trim().to_owned();
    if secret.chars().count() < MIN_SECRET_LEN {
        return Err(RelayError::Config(format!(
            "the pairing secret in {} is shorter than {MIN_SECRET_LEN} characters; make a \
             strong one, e.g. `openssl rand -hex 32`",
            path.display()
        )));
    }
    Ok(secret)
}

/// Invites as files in a directory: one per invite, named by the code's SHA-256, holding its
/// expiry (RFC 3339). Redeeming removes the file: of concurrent redeemers exactly one
/// succeeds. Written through a temporary file, a rename and a directory sync.
#[derive(Debug, Clone)]
pub struct InviteDir {
    dir: PathBuf,
}

impl InviteDir {
    /// Invites in `dir` (created on the first invite).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        InviteDir { dir: dir.into() }
    }

    fn path(&self, code_sha256: &str) -> Option<PathBuf> {
        // Only a hash names a file: nothing a caller sends reaches the file system.
        let valid = code_sha256.len() == 64 && code_sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.join(code_sha256.to_ascii_lowercase()))
    }

    fn sync_dir(&self) -> std::io::Result<()> {
        #[cfg(unix)]
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// Adds an invite now (blocking).
    pub fn put_blocking(&self, code_sha256: &str, expires_at: DateTime<Utc>) -> Result<()> {
        use std::io::Write as _;
        let path = self
            .path(code_sha256)
            .ok_or_else(|| RelayError::Config("not a SHA-256 digest".into()))?;
        std::fs::create_dir_all(&self.dir)?;
        // Expired invites go when a new one is made.
        let now = Utc::now();
        for entry in std::fs::read_dir(&self.dir)?.flatten() {
            let expired = std::fs::read_to_string(entry.path())
                .ok()
                .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok())
                .is_some_and(|at| at < now);
            if expired {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let tmp = path.with_extension("tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(expires_at.to_rfc3339().as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        self.sync_dir()?;
        Ok(())
    }

    /// Redeems an invite now (blocking).
    pub fn redeem_blocking(&self, code_sha256: &str) -> Result<bool> {
        let Some(path) = self.path(code_sha256) else {
            return Ok(false);
        };
        let expires = match std::fs::read_to_string(&path) {
            Ok(text) => DateTime::parse_from_rfc3339(text.trim()).ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            // Another request redeemed it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        // Redeemed for good: a crash now must not bring it back.
        self.sync_dir()?;
        Ok(expires.is_some_and(|at| at > Utc::now()))
    }
}

impl Invites for InviteDir {
    fn put_invite(&self, code_sha256: &str, expires_at: DateTime<Utc>) -> WriteFuture<()> {
        let this = self.clone();
        let hash = code_sha256.to_owned();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || this.put_blocking(&hash, expires_at))
                .await
                .map_err(|_| RelayError::Closed)?
        })
    }

    fn redeem_invite(&self, code_sha256: &str) -> WriteFuture<bool> {
        let this = self.clone();
        let hash = code_sha256.to_owned();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || this.redeem_blocking(&hash))
                .await
                .map_err(|_| RelayError::Closed)?
        })
    }
}

/// How a pairing was let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// The relay pairs anyone.
    Open,
    /// The operator's secret.
    Secret,
    /// A single-use invite, now spent.
    Invite,
}

/// Why a pairing was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No code was sent.
    Missing,
    /// The code is neither the secret nor a live invite.
    Wrong,
}

/// The relay's pairing rule.
#[derive(Clone, Default)]
pub struct PairingGate {
    open: bool,
    secret_sha256: Option<[u8; 32]>,
    invites: Option<Arc<dyn Invites>>,
}

impl std::fmt::Debug for PairingGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingGate")
            .field("open", &self.open)
            .field("secret", &self.secret_sha256.is_some())
            .field("invites", &self.invites.is_some())
            .finish()
    }
}

impl PairingGate {
    /// Anyone may pair.
    pub fn open() -> Self {
        PairingGate {
            open: true,
            ..Self::default()
        }
    }

    /// Nobody may pair until a secret or invites are added.
    pub fn closed() -> Self {
        Self::default()
    }

    /// Whether anyone may pair.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether any code could ever be accepted (open, a secret, or an invite book).
    pub fn can_admit(&self) -> bool {
        self.open || self.secret_sha256.is_some() || self.invites.is_some()
    }

    /// Also accepts `secret`.
    pub fn with_secret(mut self, secret: &str) -> Self {
        self.secret_sha256 = Some(Sha256::digest(secret.as_bytes()).into());
        self
    }

    /// Also accepts invites from `invites`.
    pub fn with_invites(mut self, invites: Arc<dyn Invites>) -> Self {
        self.invites = Some(invites);
        self
    }

    /// Judges a pairing request's code (the `Authorization: Bearer` value, if any). An invite
    /// is spent by this call.
    pub async fn admit(&self, code: Option<&str>) -> Result<Admitted, Option<Refused>> {
        if self.open {
            return Ok(Admitted::Open);
        }
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Err(Some(Refused::Missing));
        };
        let digest: [u8; 32] = Sha256::digest(code.as_bytes()).into();
        if let Some(secret) = &self.secret_sha256
            && bool::from(digest.ct_eq(secret))
        {
            return Ok(Admitted::Secret);
        }
        if let Some(invites) = &self.invites
            && code.starts_with(INVITE_PREFIX)
        {
            match invites.redeem_invite(&hex::encode(digest)).await {
                Ok(true) => return Ok(Admitted::Invite),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %e, "redeeming an invite failed");
                    return Err(None);
                }
            }
        }
        Err(Some(Refused::Wrong))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gate_takes_the_secret_and_each_invite_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let book = Arc::new(InviteDir::new(dir.path().join("invites")));
        let gate = PairingGate::closed()
            .with_secret("a long enough operator secret")
            .with_invites(book.clone());
        assert_eq!(gate.admit(None).await, Err(Some(Refused::Missing)));
        assert_eq!(gate.admit(Some("  ")).await, Err(Some(Refused::Missing)));
        assert_eq!(gate.admit(Some("nope")).await, Err(Some(Refused::Wrong)));
        assert_eq!(
            gate.admit(Some("a long enough operator secret")).await,
            Ok(Admitted::Secret)
        );
        let code = new_invite_code().unwrap_or_else(|e| panic!("{e}"));
        book.put_invite(&code_hash(&code), Utc::now() + chrono::Duration::hours(1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(gate.admit(Some(&code)).await, Ok(Admitted::Invite));
        assert_eq!(
            gate.admit(Some(&code)).await,
            Err(Some(Refused::Wrong)),
            "an invite is single-use"
        );
        let stale = new_invite_code().unwrap_or_else(|e| panic!("{e}"));
        book.put_invite(
            &code_hash(&stale),
            Utc::now() - chrono::Duration::seconds(1),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(gate.admit(Some(&stale)).await, Err(Some(Refused::Wrong)));
        assert_eq!(
            PairingGate::open().admit(None).await,
            Ok(Admitted::Open),
            "an open relay needs no code"
        );
    }

    #[tokio::test]
    async fn concurrent_redeemers_of_one_invite_let_exactly_one_in() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let book = Arc::new(InviteDir::new(dir.path()));
        let code = new_invite_code().unwrap_or_else(|e| panic!("{e}"));
        book.put_invite(&code_hash(&code), Utc::now() + chrono::Duration::hours(1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let gate = PairingGate::closed().with_invites(book);
        let tries = (0..16).map(|_| gate.admit(Some(&code)));
        let admitted = futures_util::future::join_all(tries)
            .await
            .into_iter()
            .filter(|r| r.is_ok())
            .count();
        assert_eq!(admitted, 1);
    }

    #[test]
    fn a_short_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        std::fs::write(&path, "short\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(read_secret(&path).is_err());
        std::fs::write(&path, "0123456789abcdef0123\nignored").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            read_secret(&path).unwrap_or_default(),
            "0123456789abcdef0123"
        );
    }
}
