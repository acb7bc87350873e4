//! The secret store for real: files on disk, and the keychain test against a real Secret
//! Service (a D-Bus session with an unlocked gnome-keyring; `make keychain-test` starts one).

use std::path::Path;
use std::sync::Arc;

use hookbell_core::{Auth, Config, Delivery, Secret};

use super::*;
use crate::data_dir::{self, CONFIG_FILE};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A config with one source per scheme, every secret written out as an older version did.
const PLAIN: &str = r#"# My sources, edited by hand.
[server]
listen = "127.0.0.1:0"

[[sources]]
id = "gh"
provider = "generic"
auth = { scheme = "github", secret = "gh-secret-7Yt2" }

[[sources]]
id = "os"
provider = "generic"
auth = { scheme = "hmac-sha256", secret = "hmac-secret-Q9z" }

[[sources]]
id = "en"
provider = "generic"
auth = { scheme = "basic", username = "user-K3y", password = "basic-pass-W8r" }

[[sources]]
id = "be"
provider = "generic"
auth = { scheme = "bearer", token = "bearer-tok-P4s" }

[[sources]]
id = "hd"
provider = "generic"
auth = { scheme = "header", name = "X-Api-Key", value = "header-val-M1n" }

[[sources]]
id = "sw"
provider = "generic"
auth = { scheme = "standard-webhooks", secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }

[[sources]]
id = "gg"
provider = "generic"
auth = { scheme = "gitguardian", secret = "gg-token-R6v", tolerance_secs = 300 }
"#;

const VALUES: &[&str] = &[
    "gh-secret-7Yt2",
    "hmac-secret-Q9z",
    "user-K3y",
    "basic-pass-W8r",
    "bearer-tok-P4s",
    "header-val-M1n",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    // A scheme added after the store: covered because its field is a `Secret`, not by a list.
    "gg-token-R6v",
];

/// A delivery to `source` signed (or authenticated) the way its sender would.
fn signed(source: &str, auth: &Auth) -> Delivery {
    let body = hookbell_core::providers::get("generic")
        .map(|p| p.sample().as_bytes().to_vec())
        .unwrap_or_else(|| panic!("no generic provider"));
    let now = chrono::Utc::now();
    let msg_id = format!("msg_{source}_{}", now.timestamp_micros());
    let mut headers = hookbell_core::delivery::Headers::new();
    headers.push("content-type", "application/json");
    for (name, value) in auth
        .sign(&body, now, &msg_id)
        .unwrap_or_else(|e| panic!("{e}"))
    {
        headers.push(&name, value);
    }
    Delivery {
        source_id: source.to_owned(),
        received_at: now,
        peer: None,
        headers,
        body,
    }
}

/// Every source of `original` still verifies through a real engine over `loaded`.
async fn every_source_verifies(dir: &Path, original: &Config, loaded: Config) {
    let store = hookbell_store::SledStore::open(&dir.join("store"))
        .unwrap_or_else(|e| panic!("store: {e}"));
    let engine = crate::Engine::new(Arc::new(store), loaded);
    for source in &original.sources {
        let outcome = engine.ingest(signed(&source.id, &source.auth)).await;
        assert!(outcome.is_ok(), "{}: {:?}", source.id, outcome.err());
    }
}

#[test]
fn the_file_backend_keeps_secrets_private_and_replaces_the_file_whole() {
    let dir = tempdir();
    let store = SecretStore::file(dir.path());
    assert!(!store.is_keychain());
    assert_eq!(store.describe(), "DATA_DIR/secrets.toml (no keychain)");
    let path = dir.path().join(SECRETS_FILE);
    assert!(
        matches!(store.get("a"), Ok(None)),
        "nothing before the first write"
    );
    store
        .set(
            "source.a.auth.secret",
            &Secret::new("first \"quoted\" value"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .set("source.b.auth.token", &Secret::new("second"))
        .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600, "created private");
    let get = |name: &str| {
        store
            .get(name)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|s| s.expose().to_owned())
    };
    assert_eq!(
        get("source.a.auth.secret").as_deref(),
        Some("first \"quoted\" value")
    );
    // Someone widens the mode: the next access takes it back.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get("source.b.auth.token").as_deref(), Some("second"));
        assert_eq!(mode(&path), 0o600, "narrowed again on read");
    }
    store
        .delete("source.a.auth.secret")
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .delete("never-there")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get("source.a.auth.secret"), None);
    assert_eq!(get("source.b.auth.token").as_deref(), Some("second"));
    assert!(
        !read(&path).contains("first"),
        "deleted means gone from the file"
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600, "replaced, still private");
    // Atomic: each change renamed a finished temporary file over it; none is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [SECRETS_FILE], "{left:?}");
    // A broken file is an error that names it, never an empty store.
    std::fs::write(&path, "not = [toml").unwrap_or_else(|e| panic!("{e}"));
    let err = store
        .get("x")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains(SECRETS_FILE), "{err}");
}

#[tokio::test]
async fn plain_secrets_move_out_of_the_config_at_start_and_deliveries_still_verify() {
    let dir = tempdir();
    let path = dir.path().join(CONFIG_FILE);
    std::fs::write(&path, PLAIN).unwrap_or_else(|e| panic!("{e}"));
    let original = Config::from_toml(PLAIN).unwrap_or_else(|e| panic!("{e}"));
    let store = SecretStore::file(dir.path());
    let loaded = data_dir::load_config(&path, &store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, original, "the same settings, secrets resolved");
    let text = read(&path);
    for value in VALUES {
        assert!(
            !text.contains(value),
            "{value} is still in hookbell.toml:\n{text}"
        );
    }
    assert!(text.starts_with("# My sources, edited by hand."), "{text}");
    assert!(
        text.contains(r#"password = { secret = "source.en.auth.password" }"#),
        "{text}"
    );
    let secrets = read(&dir.path().join(SECRETS_FILE));
    for value in VALUES {
        assert!(secrets.contains(value), "{value} missing from secrets.toml");
    }
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join(SECRETS_FILE)), 0o600);
    // The next start reads the names, moves nothing and writes nothing.
    let before = read(&path);
    let again = data_dir::load_config(&path, &store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, original);
    assert_eq!(read(&path), before);
    every_source_verifies(dir.path(), &original, again.clone()).await;

    // A changed secret gets a new name; the old one is deleted once the file names the new.
    let mut sources = again.sources.clone();
    if let Some(Auth::Bearer { token }) = sources
        .iter_mut()
        .find(|s| s.id == "be")
        .map(|s| &mut s.auth)
    {
        *token = Secret::new("bearer-tok-NEW");
    }
    // A deleted source takes its secrets with it.
    sources.retain(|s| s.id != "gh");
    let mut changed = again.clone();
    changed.sources = sources.clone();
    crate::config_file::save(&path, &changed, Some(&again.sources), &store)
        .unwrap_or_else(|e| panic!("{e}"));
    let secrets = read(&dir.path().join(SECRETS_FILE));
    for gone in ["gh-secret-7Yt2", "bearer-tok-P4s"] {
        assert!(!secrets.contains(gone), "{gone} stayed in secrets.toml");
    }
    assert!(secrets.contains("bearer-tok-NEW") && secrets.contains("hmac-secret-Q9z"));
    assert!(!read(&path).contains("bearer-tok-NEW"));
    let after = data_dir::load_config(&path, &store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.sources, sources);
}

#[test]
fn a_named_secret_missing_from_the_store_stops_the_start_and_says_where_it_looked() {
    let dir = tempdir();
    let path = dir.path().join(CONFIG_FILE);
    std::fs::write(
        &path,
        "[[sources]]\nid = \"gh\"\nprovider = \"generic\"\nauth = { scheme = \"github\", secret = { secret = \"source.gh.auth.secret\" } }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = data_dir::load_config(&path, &SecretStore::file(dir.path()))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("source.gh.auth.secret") && err.contains("secrets.toml"),
        "{err}"
    );
}

#[test]
fn the_first_start_file_names_its_test_secret() {
    let dir = tempdir();
    let path = dir.path().join(CONFIG_FILE);
    let store = SecretStore::file(dir.path());
    let config = data_dir::load_config(&path, &store).unwrap_or_else(|e| panic!("{e}"));
    let Some(Auth::StandardWebhooks { secret, .. }) = config.source("test").map(|s| &s.auth) else {
        panic!("no test source");
    };
    let text = read(&path);
    assert!(!text.contains(secret.expose()), "{text}");
    assert!(
        text.contains(r#"{ secret = "source.test.auth.secret" }"#),
        "{text}"
    );
    assert!(
        text.contains("# Other schemes:"),
        "the comments stay: {text}"
    );
}

/// Whether a real keychain answers here; when `HOOKBELL_REQUIRE_KEYCHAIN` is set (as
/// `make keychain-test` does), not answering is a failure instead of a skip.
fn real_keychain(dir: &Path) -> Option<SecretStore> {
    let required = std::env::var_os("HOOKBELL_REQUIRE_KEYCHAIN").is_some();
    let skip = |why: String| {
        assert!(!required, "HOOKBELL_REQUIRE_KEYCHAIN is set but {why}");
        eprintln!("skipped: {why} (make keychain-test runs this with gnome-keyring)");
        None
    };
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return skip("DBUS_SESSION_BUS_ADDRESS is not set".into());
    }
    let store = SecretStore::keychain(dir).unwrap_or_else(|e| panic!("{e}"));
    match probe_keychain(PROBE_TIMEOUT) {
        Ok(()) => Some(store),
        Err(e) => skip(e.to_string()),
    }
}

#[test]
fn the_keychain_backend_stores_reads_and_deletes_in_a_real_secret_service() {
    let dir = tempdir();
    let Some(store) = real_keychain(dir.path()) else {
        return;
    };
    assert_eq!(store.describe(), "OS keychain");
    let name = "source.kc.auth.secret";
    store
        .set(name, &Secret::new("kc-value-1"))
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .set(name, &Secret::new("kc-value-2"))
        .unwrap_or_else(|e| panic!("{e}"));
    let got = store.get(name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.as_ref().map(Secret::expose), Some("kc-value-2"));
    // Another data directory has its own entries.
    let other_dir = tempdir();
    let other = SecretStore::keychain(other_dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(other.get(name), Ok(None)));
    // The keychain itself has it, as another client sees it (secret-tool, if installed).
    let id = read(&dir.path().join(KEYCHAIN_ID_FILE)).trim().to_owned();
    if let Ok(out) = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            KEYCHAIN_SERVICE,
            "username",
            &format!("{id}/{name}"),
        ])
        .output()
    {
        assert_eq!(String::from_utf8_lossy(&out.stdout), "kc-value-2");
    }
    store.delete(name).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(store.get(name), Ok(None)));
    assert!(
        !dir.path().join(SECRETS_FILE).exists(),
        "no file when a keychain answers"
    );
}

/// Issue 16's test: plain secrets move into a real keychain at start, a source created
/// through the API keeps its secret there (not in the file), a restart still verifies its
/// signatures, and deleting it deletes its secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_real_keychain_the_config_file_names_every_secret_across_restarts() {
    let dir = tempdir();
    let Some(store) = real_keychain(dir.path()) else {
        return;
    };
    let path = dir.path().join(CONFIG_FILE);
    std::fs::write(&path, PLAIN).unwrap_or_else(|e| panic!("{e}"));
    let original = Config::from_toml(PLAIN).unwrap_or_else(|e| panic!("{e}"));
    let options = || crate::Options {
        data_dir: Some(dir.path().to_owned()),
        listen: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        secrets: SecretsChoice::Keychain,
        ..Default::default()
    };
    let app = crate::App::open(options())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(app.secrets().is_keychain());
    let text = read(&path);
    for value in VALUES {
        assert!(
            !text.contains(value),
            "{value} is still in hookbell.toml:\n{text}"
        );
    }
    assert!(!dir.path().join(SECRETS_FILE).exists());
    // A source created the way the API creates it (the one door to the file).
    let created = Auth::Github {
        secret: Secret::new("api-made-secret-Z5"),
    };
    let new_source = hookbell_core::SourceConfig {
        id: "made".into(),
        provider: "generic".into(),
        name: None,
        auth: created.clone(),
    };
    app.engine()
        .change_sources(|sources| {
            sources.push(new_source.clone());
            Ok(())
        })
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!read(&path).contains("api-made-secret-Z5"));
    drop(app);

    let app = crate::App::open(options())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut expected = original.clone();
    expected.sources.push(new_source.clone());
    for source in &expected.sources {
        let outcome = app.engine().ingest(signed(&source.id, &source.auth)).await;
        assert!(
            outcome.is_ok(),
            "{} after a restart: {:?}",
            source.id,
            outcome.err()
        );
    }
    app.engine()
        .change_sources(|sources| {
            sources.clear();
            Ok(())
        })
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    for name in ["source.made.auth.secret", "source.en.auth.password"] {
        assert!(
            matches!(store.get(name), Ok(None)),
            "{name} stayed in the keychain after its source was deleted"
        );
    }
    // The relay's keys go to the same keychain.
    let relay = dir.path().join("relay.json");
    std::fs::write(&relay, RELAY_JSON).unwrap_or_else(|e| panic!("{e}"));
    let file = JsonWithSecrets {
        path: &relay,
        store: app.engine().secret_store(),
        prefix: "relay.keys",
        fields: &["token", "secret_key", "pending_key", "previous_keys"],
    };
    let value = file.read().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        value.as_ref().map(|v| v["secret_key"].clone()),
        Some("relay-private-K3y".into())
    );
    assert!(!read(&relay).contains("relay-private-K3y"));
    assert!(
        !dir.path().join(SECRETS_FILE).exists(),
        "the keychain took them, not a file"
    );
    file.remove().unwrap_or_else(|e| panic!("{e}"));
}

/// `relay.json` as an older version wrote it: the channel token and private keys in clear.
const RELAY_JSON: &str = r#"{"url": "https://relay.example.org", "channel_id": "ch_1",
  "token": "relay-token-T0k", "secret_key": "relay-private-K3y",
  "previous_keys": ["relay-old-K3y"]}"#;

#[test]
fn the_relay_keys_move_out_of_relay_json_and_rotate_without_a_gap() {
    let dir = tempdir();
    let path = dir.path().join("relay.json");
    std::fs::write(&path, RELAY_JSON).unwrap_or_else(|e| panic!("{e}"));
    let store = SecretStore::file(dir.path());
    let file = JsonWithSecrets {
        path: &path,
        store: Some(&store),
        prefix: "relay.keys",
        fields: &["token", "secret_key", "pending_key", "previous_keys"],
    };
    let original: serde_json::Value =
        serde_json::from_str(RELAY_JSON).unwrap_or_else(|e| panic!("{e}"));
    let read_back = file.read().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_back.as_ref(), Some(&original));
    let on_disk = read(&path);
    for secret in ["relay-token-T0k", "relay-private-K3y", "relay-old-K3y"] {
        assert!(
            !on_disk.contains(secret),
            "{secret} is still in relay.json:\n{on_disk}"
        );
    }
    assert!(on_disk.contains("ch_1"), "{on_disk}");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        file.read().unwrap_or_else(|e| panic!("{e}")),
        Some(original.clone())
    );
    // A rotation stores the new set under a new name before the file names it; the old set
    // is gone afterwards.
    let mut rotated = original.clone();
    rotated["secret_key"] = "relay-new-K3y".into();
    file.write(&rotated).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.read().unwrap_or_else(|e| panic!("{e}")), Some(rotated));
    let secrets = read(&dir.path().join(SECRETS_FILE));
    assert!(secrets.contains("relay-new-K3y") && !secrets.contains("relay-private-K3y"));
    assert_eq!(secrets.matches("relay.keys.").count(), 1, "{secrets}");
    // Unpairing forgets both.
    file.remove().unwrap_or_else(|e| panic!("{e}"));
    assert!(!path.exists());
    assert!(!read(&dir.path().join(SECRETS_FILE)).contains("relay-new-K3y"));
}

#[test]
fn auto_picks_the_keychain_only_when_one_answers_and_says_which() {
    let dir = tempdir();
    let answers = probe_keychain(PROBE_TIMEOUT).is_ok();
    let store =
        SecretStore::open(dir.path(), SecretsChoice::Auto).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.is_keychain(), answers);
    if answers {
        assert_eq!(store.describe(), "OS keychain");
    } else {
        assert_eq!(store.describe(), "DATA_DIR/secrets.toml (no keychain)");
        assert!(
            !dir.path().join(KEYCHAIN_ID_FILE).exists(),
            "nothing written for a keychain that did not answer"
        );
        let forced = SecretStore::open(dir.path(), SecretsChoice::Keychain)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(forced.contains("no OS keychain answered"), "{forced}");
    }
    let file = SecretStore::open(dir.path(), SecretsChoice::File).unwrap_or_else(|e| panic!("{e}"));
    assert!(!file.is_keychain());
}
