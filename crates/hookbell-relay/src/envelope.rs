//! Sealed envelopes: the exact request a provider sent, sealed to the desktop's X25519 key with
//! HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, base mode), as
//! rustls implements it on aws-lc-rs (the TLS stack's own crypto, about twice as fast here as
//! a pure-Rust X25519; see docs/BENCHMARKS.md).
//!
//! The relay seals a [`RelayedRequest`] the moment it has read it and keeps only the sealed
//! bytes; only the desktop's [`SecretKey`] opens them. The associated data binds each envelope
//! to its channel and envelope id, so the relay cannot pass one envelope off as another.
//!
//! Sealed bytes are `enc (32 bytes) || ciphertext`; the plaintext is the JSON of
//! [`RelayedRequest`] (see docs/relay.md).
//!
//! The same sealing (with its own `info`) carries the relay's key challenge: to replace a
//! channel's key, the desktop must open a random challenge sealed to the current key
//! ([`seal_challenge`], [`open_challenge`]) and answer with a [`key_proof`] bound to the new
//! key. X25519 keys cannot sign; opening what was sealed to them is the proof of possession.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hookbell_core::{Delivery, Headers};
use rustls::crypto::aws_lc_rs::hpke::DH_KEM_X25519_HKDF_SHA256_CHACHA20_POLY1305 as SUITE;
use rustls::crypto::hpke::{EncapsulatedSecret, Hpke as _, HpkePrivateKey, HpkePublicKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The HPKE `info` string: names the protocol and its version.
const INFO: &[u8] = b"hookbell-relay/v1 envelope";
/// The HPKE `info` string of a key challenge: never confused with an envelope.
const CHALLENGE_INFO: &[u8] = b"hookbell-relay/v1 key challenge";
/// Length of the encapsulated key that starts every sealed envelope.
const ENC_LEN: usize = 32;

/// Why an envelope could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// A key is not 32 bytes of URL-safe base64, or not a valid X25519 key.
    #[error("not a valid X25519 key (expected 32 bytes, URL-safe base64)")]
    BadKey,
    /// The envelope does not open with this key (wrong key, tampered, or truncated).
    #[error("the envelope does not open with this key (wrong key, or altered)")]
    Open,
    /// Sealing failed.
    #[error("sealing failed")]
    Seal,
    /// The opened plaintext is not a relayed request.
    #[error("the envelope's content is not a relayed request: {0}")]
    Content(String),
    /// No randomness for a new key.
    #[error("the system has no randomness to offer: {0}")]
    Random(String),
}

/// A channel's public key: what the relay seals to. Not secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// From URL-safe base64 (no padding), as sent when pairing.
    pub fn from_base64(text: &str) -> Result<Self, EnvelopeError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| EnvelopeError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| EnvelopeError::BadKey)?;
        Ok(PublicKey(bytes))
    }

    /// URL-safe base64 (no padding).
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn hpke(&self) -> HpkePublicKey {
        HpkePublicKey(self.0.to_vec())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_base64())
    }
}

/// The desktop's private key. Never leaves the desktop; prints as `[redacted]`.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    /// From URL-safe base64 (no padding), as kept in the desktop's `relay.json`.
    pub fn from_base64(text: &str) -> Result<Self, EnvelopeError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| EnvelopeError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| EnvelopeError::BadKey)?;
        Ok(SecretKey(bytes))
    }

    /// URL-safe base64 (no padding). Only for writing the key file.
    pub fn expose_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn hpke(&self) -> HpkePrivateKey {
        HpkePrivateKey::from(self.0.to_vec())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// A desktop's key pair.
#[derive(Clone, Debug)]
pub struct KeyPair {
    /// The private half; stays on the desktop.
    pub secret: SecretKey,
    /// The public half; given to the relay when pairing.
    pub public: PublicKey,
}

impl KeyPair {
    /// A fresh random key pair.
    pub fn generate() -> Result<Self, EnvelopeError> {
        let (public, secret) = SUITE
            .generate_key_pair()
            .map_err(|e| EnvelopeError::Random(e.to_string()))?;
        let secret: [u8; 32] = secret
            .secret_bytes()
            .try_into()
            .map_err(|_| EnvelopeError::BadKey)?;
        let public: [u8; 32] = public.0.try_into().map_err(|_| EnvelopeError::BadKey)?;
        Ok(KeyPair {
            secret: SecretKey(secret),
            public: PublicKey(public),
        })
    }
}

/// Bytes that travel as standard base64 in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct B64(pub Vec<u8>);

impl Serialize for B64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text)
            .map(B64)
            .map_err(serde::de::Error::custom)
    }
}

/// A provider's request exactly as the relay received it: the envelope's plaintext.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedRequest {
    /// Format version (1).
    pub v: u32,
    /// The envelope's id (also bound in the associated data).
    pub envelope_id: String,
    /// The channel it was addressed to.
    pub channel_id: String,
    /// The source id from the URL.
    pub source_id: String,
    /// When the relay received it; the desktop checks signature timestamps against this.
    pub received_at: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// Headers in arrival order, repeats kept; values as raw bytes.
    pub headers: Vec<(String, B64)>,
    /// The sender's address as the relay saw it.
    pub peer: Option<String>,
    /// The exact body bytes.
    pub body: B64,
}

impl fmt::Debug for RelayedRequest {
    // Headers and body may carry secrets: only their sizes are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayedRequest")
            .field("envelope_id", &self.envelope_id)
            .field("channel_id", &self.channel_id)
            .field("source_id", &self.source_id)
            .field("received_at", &self.received_at)
            .field("method", &self.method)
            .field("headers", &self.headers.len())
            .field("body_bytes", &self.body.0.len())
            .finish_non_exhaustive()
    }
}

impl RelayedRequest {
    /// The delivery the engine ingests: exact headers and body, received at the relay's time.
    pub fn into_delivery(self) -> Delivery {
        let mut headers = Headers::new();
        for (name, value) in self.headers {
            headers.push(&name, value.0);
        }
        Delivery {
            source_id: self.source_id,
            received_at: self.received_at,
            peer: self.peer.and_then(|p| p.parse().ok()),
            headers,
            body: self.body.0,
        }
    }
}

/// Seals a key challenge's random `secret` to the channel's current key, bound to the channel
/// and the challenge's id.
pub fn seal_challenge(
    key: &PublicKey,
    channel_id: &str,
    challenge_id: &str,
    secret: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let aad = aad(channel_id, challenge_id);
    let (enc, ciphertext) = SUITE
        .seal(CHALLENGE_INFO, &aad, secret, &key.hpke())
        .map_err(|_| EnvelopeError::Seal)?;
    let mut sealed = Vec::with_capacity(ENC_LEN + ciphertext.len());
    sealed.extend_from_slice(&enc.0);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Opens a key challenge with `key`: the random secret, or [`EnvelopeError::Open`].
pub fn open_challenge(
    key: &SecretKey,
    channel_id: &str,
    challenge_id: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    if sealed.len() < ENC_LEN {
        return Err(EnvelopeError::Open);
    }
    let (enc, ciphertext) = sealed.split_at(ENC_LEN);
    SUITE
        .open(
            &EncapsulatedSecret(enc.to_vec()),
            CHALLENGE_INFO,
            &aad(channel_id, challenge_id),
            ciphertext,
            &key.hpke(),
        )
        .map_err(|_| EnvelopeError::Open)
}

/// The answer to a key challenge: SHA-256 over a label, the channel, the new public key and the
/// challenge's secret, URL-safe base64. Binding the new key means a proof seen in transit
/// cannot install another key.
pub fn key_proof(secret: &[u8], channel_id: &str, new_key: &PublicKey) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"hookbell-relay/v1 key proof\0");
    hash.update(channel_id.as_bytes());
    hash.update(b"\0");
    hash.update(new_key.0);
    hash.update(secret);
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// The associated data of an envelope: binds it to its channel and id.
pub fn aad(channel_id: &str, envelope_id: &str) -> Vec<u8> {
    format!("{channel_id}/{envelope_id}").into_bytes()
}

/// Seals `request` to `key`.
pub fn seal(key: &PublicKey, request: &RelayedRequest) -> Result<Vec<u8>, EnvelopeError> {
    let plaintext = serde_json::to_vec(request).map_err(|_| EnvelopeError::Seal)?;
    let aad = aad(&request.channel_id, &request.envelope_id);
    let (enc, ciphertext) = SUITE
        .seal(INFO, &aad, &plaintext, &key.hpke())
        .map_err(|_| EnvelopeError::Seal)?;
    let mut sealed = Vec::with_capacity(ENC_LEN + ciphertext.len());
    sealed.extend_from_slice(&enc.0);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Opens an envelope sealed for `key`, checking that it belongs to `channel_id` and
/// `envelope_id`.
pub fn open(
    key: &SecretKey,
    channel_id: &str,
    envelope_id: &str,
    sealed: &[u8],
) -> Result<RelayedRequest, EnvelopeError> {
    if sealed.len() < ENC_LEN {
        return Err(EnvelopeError::Open);
    }
    let (enc, ciphertext) = sealed.split_at(ENC_LEN);
    let enc = EncapsulatedSecret(enc.to_vec());
    let aad = aad(channel_id, envelope_id);
    let plaintext = SUITE
        .open(&enc, INFO, &aad, ciphertext, &key.hpke())
        .map_err(|_| EnvelopeError::Open)?;
    let request: RelayedRequest =
        serde_json::from_slice(&plaintext).map_err(|e| EnvelopeError::Content(e.to_string()))?;
    if request.channel_id != channel_id || request.envelope_id != envelope_id {
        return Err(EnvelopeError::Content(
            "the envelope names another channel or id".into(),
        ));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RelayedRequest {
        RelayedRequest {
            v: 1,
            envelope_id: "E1".into(),
            channel_id: "C1".into(),
            source_id: "s".into(),
            received_at: Utc::now(),
            method: "POST".into(),
            path: "/h/C1/s".into(),
            query: Some("a=1&a=2".into()),
            headers: vec![
                ("x-tag".into(), B64(b"a".to_vec())),
                ("x-tag".into(), B64(vec![0xff, 0x01])),
            ],
            peer: Some("192.0.2.1:4000".into()),
            body: B64(b"{\"secret\": \"plaintext-marker\"}".to_vec()),
        }
    }

    #[test]
    fn sealed_envelopes_open_with_the_right_key_only() {
        let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let original = request();
        let sealed = seal(&keys.public, &original).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !sealed.windows(16).any(|w| w == b"plaintext-marker"),
            "the body is not visible in the sealed bytes"
        );
        let opened = open(&keys.secret, "C1", "E1", &sealed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened, original);

        let other = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            open(&other.secret, "C1", "E1", &sealed),
            Err(EnvelopeError::Open)
        ));
        assert!(
            open(&keys.secret, "C1", "E2", &sealed).is_err(),
            "an envelope cannot pass as another"
        );
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(open(&keys.secret, "C1", "E1", &tampered).is_err());
    }

    #[test]
    fn keys_round_trip_and_secrets_do_not_print() {
        let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let again =
            SecretKey::from_base64(&keys.secret.expose_base64()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.0, keys.secret.0);
        assert_eq!(
            PublicKey::from_base64(&keys.public.to_base64()).ok(),
            Some(keys.public.clone())
        );
        let shown = format!("{keys:?} {:?}", request());
        assert!(!shown.contains(&keys.secret.expose_base64()));
        assert!(!shown.contains("plaintext-marker"));
        assert!(PublicKey::from_base64("short").is_err());
    }

    /// Envelopes sealed by the relay's first implementation (the `hpke` crate) open with this
    /// one: both are RFC 9180, so queues kept across the switch stay readable.
    #[test]
    fn envelopes_sealed_by_the_first_implementation_still_open() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/envelope-hpke-crate.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        let field = |name: &str| fixture[name].as_str().unwrap_or_default().to_owned();
        let key = SecretKey::from_base64(&field("secret_key")).unwrap_or_else(|e| panic!("{e}"));
        let sealed = STANDARD
            .decode(field("sealed"))
            .unwrap_or_else(|e| panic!("{e}"));
        let opened = open(&key, &field("channel_id"), &field("envelope_id"), &sealed)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened.source_id, "omniac");
        assert_eq!(opened.query.as_deref(), Some("a=1&a=2"));
        assert_eq!(opened.headers[1].1.0, vec![0xff, 0x01]);
        assert_eq!(
            opened.body.0,
            b"{\"alert\":\"sealed before the switch to aws-lc\"}"
        );
        assert!(open(&key, &field("channel_id"), "another-id", &sealed).is_err());
    }

    #[test]
    fn the_delivery_keeps_headers_body_and_the_relay_time() {
        let request = request();
        let at = request.received_at;
        let delivery = request.into_delivery();
        assert_eq!(delivery.received_at, at);
        assert_eq!(delivery.headers.get_all("x-tag").count(), 2);
        assert_eq!(delivery.body, b"{\"secret\": \"plaintext-marker\"}");
        assert!(delivery.peer.is_some());
    }
}
