//! The local API: its guard (token, Host), listing, changes, live events and the OpenAPI
//! document, against the real server.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TOKEN, TestServer, answer};

#[tokio::test]
async fn the_api_refuses_missing_or_wrong_tokens_and_foreign_hosts() {
    let server = TestServer::start("hookbell.toml").await;
    let url = format!("{}/api/alerts", server.base);
    let (status, body) = answer(server.client.get(&url).send().await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("api-token"))
    );
    let (status, _) = answer(server.client.get(&url).bearer_auth("wrong").send().await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = answer(
        server
            .client
            .get(&url)
            .header("Authorization", TOKEN)
            .send()
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token without `Bearer` is refused"
    );

    // DNS rebinding: the right token, addressed to a foreign name.
    for host in [
        "evil.example",
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.evil.example:80",
    ] {
        let (status, body) = answer(
            server
                .client
                .get(&url)
                .bearer_auth(TOKEN)
                .header("Host", host)
                .send()
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "Host {host}: {body}");
    }
    let port = server.base.rsplit(':').next().unwrap_or_default();
    let (status, _) = answer(
        server
            .client
            .get(&url)
            .bearer_auth(TOKEN)
            .header("Host", format!("localhost:{port}"))
            .send()
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // No CORS: no Access-Control headers, even when asked.
    let response = server
        .client
        .get(&url)
        .bearer_auth(TOKEN)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    server.stop().await;
}

#[tokio::test]
async fn list_filter_search_page_patch_and_delete() {
    let server = TestServer::start("hookbell.toml").await;
    let severities = ["info", "low", "medium", "high", "critical"];
    for (i, sev) in severities.iter().cycle().take(12).enumerate() {
        let source = if i % 2 == 0 { "open" } else { "bearer" };
        let body = json!({"id": format!("e{i}"), "title": format!("Alert {i} about {sev}"), "severity": sev});
        let (status, answer) = server.deliver(source, body.to_string().as_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (_, all) = server.get("/api/alerts").await;
    assert_eq!(all["total"], 12);
    assert_eq!(
        all["alerts"][0]["title"], "Alert 11 about low",
        "newest first: {all}"
    );

    let (_, high) = server.get("/api/alerts?severity=high").await;
    assert_eq!(high["total"], 4, "high and above: {high}");
    let (_, open_high) = server.get("/api/alerts?source=open&severity=high").await;
    assert!(
        open_high["alerts"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x["source"] == "open"))
    );
    let (_, found) = server.get("/api/alerts?q=ABOUT%20CRITICAL").await;
    assert_eq!(found["total"], 2, "{found}");

    let (_, page1) = server.get("/api/alerts?limit=5").await;
    let cursor = page1["next_cursor"].as_str().unwrap_or_default().to_owned();
    let (_, page2) = server
        .get(&format!("/api/alerts?limit=5&cursor={cursor}"))
        .await;
    assert_eq!(page2["alerts"].as_array().map(Vec::len), Some(5));
    assert_ne!(page1["alerts"][4]["id"], page2["alerts"][0]["id"]);

    let (status, err) = server.get("/api/alerts?severity=severe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"].as_str().is_some_and(|e| e.contains("severe")),
        "{err}"
    );
    let (status, _) = server.get("/api/alerts?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let id = all["alerts"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, patched) = server
        .patch(&format!("/api/alerts/{id}"), json!({"read": true}))
        .await;
    assert_eq!(
        (status, patched["read"].clone()),
        (StatusCode::OK, Value::Bool(true))
    );
    assert_eq!(server.stats().await["unread"], 11);
    let (_, read) = server.get("/api/alerts?status=read").await;
    assert_eq!(read["total"], 1);
    let (status, _) = server
        .patch(&format!("/api/alerts/{id}"), json!({"read": "yes"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = server
        .patch(&format!("/api/alerts/{id}"), json!({"colour": "red"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _) = server.delete(&format!("/api/alerts/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.delete(&format!("/api/alerts/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let stats = server.stats().await;
    assert_eq!(
        (stats["total"].clone(), stats["by_source"]["bearer"].clone()),
        (json!(11), json!(5))
    );
    server.stop().await;
}

#[tokio::test]
async fn events_stream_new_alerts_and_the_server_still_stops() {
    let server = TestServer::start("hookbell.toml").await;
    let mut stream = server
        .client
        .get(format!("{}/api/events", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/event-stream"))
    );
    let (_, posted) = server.deliver("open", br#"{"title": "live one"}"#).await;
    let id = posted["alerts"][0].as_str().unwrap_or_default().to_owned();
    let mut text = String::new();
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("event: stats") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true), "no stats event; stream so far: {text}");
    assert!(text.contains("event: alert"), "{text}");
    assert!(text.contains(&id), "{text}");
    // An open event stream must not hold up a graceful shutdown.
    server.stop().await;
}

#[tokio::test]
async fn sources_and_openapi_are_served() {
    let server = TestServer::start("hookbell.toml").await;
    let (_, sources) = server.get("/api/sources").await;
    let enzoic = sources["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "enzoic").cloned());
    let enzoic = enzoic.unwrap_or_else(|| panic!("{sources}"));
    assert_eq!(enzoic["name"], "Enzoic breach monitoring");
    assert_eq!(enzoic["auth_scheme"], "basic");
    assert_eq!(
        enzoic["urls"]["direct"],
        format!("{}/hooks/enzoic", server.base)
    );
    assert_eq!(enzoic["urls"]["relay"], Value::Null);
    assert!(
        !sources.to_string().contains("SECRET"),
        "secrets are never listed: {sources}"
    );

    let (status, doc) = server.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')));
    for path in [
        "/hooks/{source_id}",
        "/api/alerts",
        "/api/alerts/{id}",
        "/api/stats",
        "/api/deliveries",
        "/api/sources",
        "/api/events",
        "/api/settings",
        "/api/about",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"].get("Alert").is_some());

    // The web UI's page is served with a CSP, and without the token in it.
    let page = server
        .client
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(page.headers().get("content-security-policy").is_some());
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("Hookbell") && !html.contains(TOKEN));
    server.stop().await;
}

#[tokio::test]
async fn the_language_setting_decides_the_language_of_new_alerts() {
    let server = TestServer::start("hookbell.toml").await;
    let (status, settings) = server.get("/api/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        settings["language"],
        Value::Null,
        "follows the system until chosen"
    );

    let (status, settings) = server
        .patch("/api/settings", json!({"language": "de"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(
        (
            settings["language"].clone(),
            settings["effective_language"].clone()
        ),
        (json!("de"), json!("de"))
    );
    let (_, sent) = server
        .deliver("enzoic", &crate::support::payload("enzoic-breach.json"))
        .await;
    let id = sent["alerts"][0].as_str().unwrap_or_default();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    let title = alert["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("Passwort"), "a German title: {title}");

    let (_, settings) = server
        .patch("/api/settings", json!({"language": "en"}))
        .await;
    assert_eq!(settings["effective_language"], "en");
    let (_, settings) = server.patch("/api/settings", json!({})).await;
    assert_eq!(settings["language"], "en", "a member left out is unchanged");
    let (_, settings) = server
        .patch("/api/settings", json!({"language": null}))
        .await;
    assert_eq!(
        settings["language"],
        Value::Null,
        "null goes back to the system's language"
    );

    for bad in [json!({"language": "fr"}), json!({"colour": "red"})] {
        let (status, err) = server.patch("/api/settings", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
        assert!(err["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    server.stop().await;
}

#[tokio::test]
async fn sources_are_added_shown_masked_changed_tested_and_removed() {
    let server = TestServer::start("hookbell.toml").await;
    let new = json!({
        "id": "acme", "provider": "generic", "name": "ACME alerts",
        "auth": {"scheme": "bearer", "token": "acme-token-123456"}
    });
    let (status, created) = server.post_json("/api/sources", new.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["urls"]["direct"],
        format!("{}/hooks/acme", server.base)
    );

    // It takes deliveries at once.
    let (status, _) = server
        .deliver("acme", br#"{"title": "through the new source"}"#)
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, shown) = server.get("/api/sources/acme").await;
    assert_eq!(shown["auth"]["scheme"], "bearer");
    assert_ne!(
        shown["auth"]["token"], "acme-token-123456",
        "masked by default: {shown}"
    );
    assert_eq!(shown["auth"]["token"].as_str().map(str::len), Some(17));
    let (_, revealed) = server.get("/api/sources/acme?reveal=true").await;
    assert_eq!(revealed["auth"]["token"], "acme-token-123456");

    assert_eq!(
        server.post_json("/api/sources", new.clone()).await.0,
        StatusCode::CONFLICT
    );
    for bad in [
        json!({"id": "../x", "provider": "generic", "auth": {"scheme": "none"}}),
        json!({"id": "y", "provider": "acme", "auth": {"scheme": "none"}}),
        json!({"id": "z", "provider": "generic", "auth": {"scheme": "standard-webhooks", "secret": "whsec_%%%"}}),
    ] {
        let (status, err) = server.post_json("/api/sources", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
    }

    let changed = json!({"provider": "generic", "name": "ACME", "auth": {"scheme": "none"}});
    let (status, view) = server.put_json("/api/sources/acme", changed).await;
    assert_eq!(
        (status, view["auth_scheme"].clone()),
        (StatusCode::OK, json!("none"))
    );

    // The test button: the provider's sample, down the real path.
    let (status, sent) = server
        .call(reqwest::Method::POST, "/api/sources/enzoic/test", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let id = sent["alerts"][0].as_str().unwrap_or_default();
    let (_, alert) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(
        (alert["source"].clone(), alert["provider"].clone()),
        (json!("enzoic"), json!("enzoic"))
    );
    assert_eq!(
        alert["severity"], "critical",
        "the Enzoic sample carries a plaintext password"
    );

    let (status, _) = server.delete("/api/sources/acme").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.deliver("open", b"{}").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.post("acme", b"{}", &[]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a removed source takes no deliveries"
    );
    let (status, _) = server.delete("/api/sources/acme").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn notification_rules_merge_validate_and_persist() {
    let server = TestServer::start("hookbell.toml").await;
    let (_, settings) = server.get("/api/settings").await;
    assert_eq!(
        settings["notifications"],
        json!({"enabled": true, "min_severity": "info",
               "quiet_hours": {"enabled": false, "start": "22:00", "end": "07:00"},
               "muted_sources": [], "paused_until": null}),
        "the defaults notify everything"
    );
    assert_eq!(settings["retention_days"], Value::Null);

    let (status, settings) = server
        .patch(
            "/api/settings",
            json!({"notifications": {"min_severity": "high", "quiet_hours": {"enabled": true}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    let rules = &settings["notifications"];
    assert_eq!(rules["min_severity"], "high");
    assert_eq!(
        rules["quiet_hours"],
        json!({"enabled": true, "start": "22:00", "end": "07:00"}),
        "members left out keep their value, at any depth"
    );

    let (status, settings) = server
        .patch(
            "/api/settings",
            json!({"notifications": {"muted_sources": ["enzoic"], "paused_until": "2026-11-22T18:00:00Z"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(
        settings["notifications"]["muted_sources"],
        json!(["enzoic"])
    );
    assert_eq!(settings["notifications"]["min_severity"], "high");
    assert_eq!(
        server.engine.notification_settings().muted_sources,
        ["enzoic"],
        "the engine reads what was saved"
    );

    for (bad, says) in [
        (
            json!({"notifications": {"min_severity": "urgent"}}),
            "urgent",
        ),
        (
            json!({"notifications": {"quiet_hours": {"start": "7pm"}}}),
            "7pm",
        ),
        (json!({"notifications": {"volume": 3}}), "volume"),
        (json!({"retention_days": 0}), "between 1 and 3650"),
        (json!({"retention_days": 5000}), "between 1 and 3650"),
        // A valid member next to an invalid one is not applied either.
        (
            json!({"language": "de", "retention_days": 0}),
            "between 1 and 3650",
        ),
    ] {
        let (status, answer) = server.patch("/api/settings", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{bad}: {error}");
    }
    let (_, settings) = server.get("/api/settings").await;
    assert_eq!(
        settings["language"],
        Value::Null,
        "nothing of a refused patch landed"
    );
    assert_eq!(settings["notifications"]["min_severity"], "high");
    server.stop().await;
}

#[tokio::test]
async fn retention_keeps_recent_alerts_and_can_go_back_to_forever() {
    let server = TestServer::start("hookbell.toml").await;
    let (_, sent) = server
        .deliver("enzoic", &crate::support::payload("enzoic-breach.json"))
        .await;
    let (status, settings) = server
        .patch("/api/settings", json!({"retention_days": 30}))
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["retention_days"], 30);
    let id = sent["alerts"][0].as_str().unwrap_or_default();
    let (status, _) = server.get(&format!("/api/alerts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "an alert of today is kept");
    let (_, settings) = server
        .patch("/api/settings", json!({"retention_days": null}))
        .await;
    assert_eq!(settings["retention_days"], Value::Null);
    server.stop().await;
}
