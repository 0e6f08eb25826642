//! Every state-changing route of the admin console refuses a request
//! without the page's CSRF token, with a forged one, or from a foreign
//! Origin — before reading anything — and nothing changes. The list is
//! checked against the console's routes, so a new form cannot be left out.

use std::collections::BTreeMap;

use latchkey_testkit::{Browser, TestApp};
use serde_json::json;

use crate::oidc::{ClientOptions, register_client};
use crate::people::{bootstrap_admin, invited_user};

/// A body the route would accept, as a form or as JSON (the decision
/// endpoints are called by the page's script).
enum Body {
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
}

/// Every POST route under `/admin`, with plausible fields.
fn routes(user: &str, client: &str, request: &str) -> Vec<(String, Body)> {
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    };
    let rules = [("name", "hardware"), ("device_bound", "on")];
    vec![
        (
            format!("/admin/approvals/{request}/ceremony"),
            Body::Json(json!({})),
        ),
        (
            format!("/admin/approvals/{request}/approve"),
            Body::Json(json!({ "ceremony": "x", "credential": {}, "comment": "" })),
        ),
        (
            format!("/admin/approvals/{request}/deny"),
            Body::Json(json!({ "ceremony": "x", "credential": {}, "comment": "" })),
        ),
        (
            format!("/admin/approvals/{request}/oob"),
            form(&[("method", "video_call"), ("note", "checked")]),
        ),
        ("/admin/audit/verify".into(), form(&[])),
        (
            "/admin/branding".into(),
            form(&[("name", "Acme"), ("colour", "#1f4fd1")]),
        ),
        (
            "/admin/clients".into(),
            form(&[
                ("name", "Wiki"),
                ("redirect_uris", "https://wiki.example.com/cb"),
            ]),
        ),
        (
            format!("/admin/clients/{client}"),
            form(&[
                ("name", "Renamed"),
                ("redirect_uris", "https://wiki.example.com/cb"),
            ]),
        ),
        (
            format!("/admin/clients/{client}/rotate"),
            form(&[("overlap", "1h")]),
        ),
        (format!("/admin/clients/{client}/disable"), form(&[])),
        (
            format!("/admin/clients/{client}/presentation"),
            form(&[("client_uri", "https://wiki.example.com/")]),
        ),
        (format!("/admin/clients/{client}/enable"), form(&[])),
        ("/admin/keys/rotate".into(), form(&[])),
        ("/admin/policies/preview".into(), form(&rules)),
        ("/admin/policies/save".into(), form(&rules)),
        (
            "/admin/policies/hardware/targets".into(),
            form(&[("op", "assign"), ("kind", "tier"), ("target", "elevated")]),
        ),
        (
            "/admin/recovery-policies/standard/recover_account".into(),
            form(&[("factors", "1"), ("delay", "2h"), ("approvals", "0")]),
        ),
        (
            "/admin/settings/self-signup".into(),
            form(&[("self_signup", "open")]),
        ),
        (
            "/admin/settings/refresh-lifetime".into(),
            form(&[("hours", "24")]),
        ),
        (
            format!("/admin/users/{user}/roles"),
            form(&[("role", "approver")]),
        ),
        (
            format!("/admin/users/{user}/tier"),
            form(&[("tier", "critical")]),
        ),
        (format!("/admin/users/{user}/enable"), form(&[])),
        (
            format!("/admin/users/{user}/groups"),
            form(&[("group", "engineering"), ("change", "add")]),
        ),
        (
            "/admin/users/invite".into(),
            form(&[("email", "new@example.com")]),
        ),
        (format!("/admin/users/{user}/disable"), form(&[])),
        (
            format!("/admin/users/{user}/sessions/{}/end", "ab".repeat(32)),
            form(&[]),
        ),
    ]
}

/// POSTs `body` to `path` with `csrf` (as a form field or the script's
/// header) and `origin`: the status.
async fn post(
    browser: &Browser,
    path: &str,
    body: &Body,
    csrf: Option<&str>,
    origin: Option<&str>,
) -> u16 {
    let mut req = browser.client.post(browser.url(path));
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req = match body {
        Body::Form(fields) => {
            let mut fields: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if let Some(token) = csrf {
                fields.push(("csrf", token));
            }
            req.form(&fields)
        }
        Body::Json(value) => {
            if let Some(token) = csrf {
                req = req.header("x-csrf-token", token);
            }
            req.json(value)
        }
    };
    req.send().await.unwrap().status().as_u16()
}

/// What a refused request must not change: every table but the session
/// store's (its sessions and single-use values are counted through its own
/// API; rate-limit counters may count refusals) and the audit log's
/// roll-ups.
async fn state(app: &TestApp) -> (BTreeMap<String, i64>, (u64, u64)) {
    let mut rows = app.db.row_counts().await;
    rows.retain(|t, _| {
        ![
            "browser_sessions",
            "ephemeral_values",
            "rate_counters",
            "daily_counts",
            "rollup_cursors",
        ]
        .contains(&t.as_str())
    });
    let entries = app.state.sessions.count_entries().await.unwrap();
    (rows, (entries.sessions, entries.values))
}

#[tokio::test]
async fn every_console_form_refuses_a_missing_or_forged_token_and_a_foreign_origin() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let (client, _) = register_client(&app, &ClientOptions::default()).await;
    let request = "0190c1d2-0000-7000-8000-000000000001";
    let csrf = {
        ada.browser.page("/admin/users").await;
        ada.browser.csrf().await
    };
    let routes = routes(&bob.user_id.to_string(), &client, request);

    // The list is the console's: as many routes as `#[post(…)]` handlers.
    let handlers = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/latchkey-admin/src"
    ))
    .unwrap()
    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
    .map(|src| src.matches("#[post(\"").count())
    .sum::<usize>();
    assert_eq!(
        routes.len(),
        handlers,
        "a console form is missing from this test"
    );

    let before = state(&app).await;
    for (path, body) in &routes {
        let none = post(&ada.browser, path, body, None, None).await;
        assert!(matches!(none, 400 | 403), "{path} without a token: {none}");
        let forged = post(&ada.browser, path, body, Some("forged"), None).await;
        assert_eq!(forged, 403, "{path} with a forged token");
        let foreign = post(
            &ada.browser,
            path,
            body,
            Some(&csrf),
            Some("https://evil.example"),
        )
        .await;
        assert_eq!(foreign, 403, "{path} from a foreign origin");
    }
    assert_eq!(state(&app).await, before, "nothing changed");
}
