//! HTTPS for the relay's own listener: [`load`] reads a PEM certificate chain and a PEM private
//! key into the configuration [`serve_tls`](crate::server::serve_tls) needs, and says which file
//! is wrong when one is.
//!
//! The TLS itself is rustls (through `axum-server`) with the aws-lc-rs provider, the same one
//! the desktop's client already uses; ALPN offers `h2` and `http/1.1`.

use std::path::{Path, PathBuf};

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why the certificate or the key could not be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read the TLS {what} file {}: {error}", path.display())]
    Read {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The certificate file holds no certificate, or a broken one.
    #[error(
        "the TLS certificate file {} is not a PEM certificate chain \
         (expected `-----BEGIN CERTIFICATE-----` blocks, the server's certificate first): {reason}",
        path.display()
    )]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The key file holds no usable private key.
    #[error(
        "the TLS key file {} holds no unencrypted PEM private key \
         (expected `-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`): {reason}",
        path.display()
    )]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Both files parse, but rustls refuses them together (for example the key does not belong
    /// to the certificate, or the key type is not supported).
    #[error(
        "the TLS certificate {} and key {} cannot be used together: {reason}",
        cert.display(),
        key.display()
    )]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        reason: String,
    },
}

/// Reads `cert` (a PEM certificate chain, the server's certificate first, then any
/// intermediates) and `key` (its PEM private key: PKCS#8, PKCS#1 or SEC1, unencrypted).
pub async fn load(cert: &Path, key: &Path) -> Result<RustlsConfig, TlsError> {
    let cert_pem = read("certificate", cert).await?;
    let key_pem = read("key", key).await?;
    check_certificates(cert, &cert_pem)?;
    check_key(key, &key_pem)?;
    RustlsConfig::from_pem(cert_pem, key_pem)
        .await
        .map_err(|e| TlsError::Mismatch {
            cert: cert.to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })
}

async fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    tokio::fs::read(path).await.map_err(|error| TlsError::Read {
        what,
        path: path.to_owned(),
        error,
    })
}

/// At least one certificate, and every `CERTIFICATE` block decodes.
fn check_certificates(path: &Path, pem: &[u8]) -> Result<(), TlsError> {
    let bad = |reason: String| TlsError::Certificate {
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("it contains no certificate".to_owned()));
    }
    Ok(())
}

/// Exactly one private key.
fn check_key(path: &Path, pem: &[u8]) -> Result<(), TlsError> {
    let bad = |reason: String| TlsError::Key {
        path: path.to_owned(),
        reason,
    };
    let keys = PrivateKeyDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| bad(e.to_string()))?;
    match keys.len() {
        1 => Ok(()),
        0 => Err(bad("it contains no private key".to_owned())),
        n => Err(bad(format!(
            "it contains {n} private keys; give exactly one"
        ))),
    }
}
