//! The console's applications: administrators only; register, change,
//! rotate the secret with an overlap, disable and enable — each through the
//! operation the CLI uses, audited with the administrator.

use chrono::Duration;
use latchkey_testkit::{Browser, TestApp};

use crate::console_audit::events_of_kind;
use crate::people::{Person, bootstrap_admin, invited_user};

/// A client_credentials token request with Basic authentication: the status.
async fn token_status(app: &TestApp, id: &str, secret: &str) -> u16 {
    app.client
        .post(app.url("/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The text of the element with this id (`<code id="…">TEXT</code>`).
fn code(html: &str, id: &str) -> String {
    html.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        .to_owned()
}

const WIKI: &[(&str, &str)] = &[
    ("name", "Wiki"),
    ("redirect_uris", "https://wiki.example.com/cb\r\n\r\n"),
    ("post_logout_redirect_uris", ""),
    ("min_acr", ""),
    ("scopes", "openid profile api:read"),
    ("resources", ""),
    ("id_token_alg", "ES256"),
];

/// Registers the wiki from the console: its id and secret.
async fn register(ada: &mut Person) -> (String, String) {
    ada.browser.page("/admin/clients").await;
    let (status, _, html) = ada.browser.post_form("/admin/clients", WIKI).await;
    assert_eq!(status, 200, "{html}");
    (code(&html, "client-id"), code(&html, "client-secret"))
}

fn clients(app: &TestApp) -> usize {
    app.db.execute("UPDATE clients SET name = name")
}

#[tokio::test]
async fn only_administrators_with_a_fresh_step_up_and_a_same_site_form_manage_applications() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut eve = invited_user(&app, "eve").await;

    let (status, html) = eve.browser.page("/admin/clients").await;
    assert_eq!(status, 403);
    assert!(!html.contains("id=\"clients\""), "{html}");
    let (status, _, _) = eve.browser.post_form("/admin/clients", WIKI).await;
    assert_eq!(status, 403);
    assert_eq!(clients(&app), 0);
    let refused = events_of_kind(&app, "console.refused").await;
    assert!(
        refused
            .iter()
            .any(|e| e.actor.as_deref() == Some(&*eve.user_id.to_string())),
        "{refused:?}"
    );

    // No form token, or a foreign Origin: refused before anything is read.
    ada.browser.page("/admin/clients").await;
    let no_token = ada
        .browser
        .client
        .post(ada.browser.url("/admin/clients"))
        .form(WIKI)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status().as_u16(), 403);
    let csrf = ada.browser.csrf().await;
    let mut fields = WIKI.to_vec();
    fields.push(("csrf", &csrf));
    let foreign = ada
        .browser
        .client
        .post(ada.browser.url("/admin/clients"))
        .header("origin", "https://evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    assert_eq!(clients(&app), 0);

    // A stale step-up: confirm first, nothing registered meanwhile.
    app.clock.advance(Duration::minutes(6));
    let (status, location, _) = ada.browser.post_form("/admin/clients", WIKI).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/stepup?next="));
    assert_eq!(clients(&app), 0);
}

#[tokio::test]
async fn an_application_registered_in_the_console_works_and_its_registration_is_audited() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (status, html) = ada.browser.page("/admin/clients").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"clients-empty\""), "{html}");

    let (id, secret) = register(&mut ada).await;
    assert!(id.starts_with("lk_"), "{id}");
    assert!(secret.starts_with("lkcs_"), "{secret}");
    assert_eq!(token_status(&app, &id, &secret).await, 200);

    let (_, html) = ada.browser.page("/admin/clients").await;
    assert!(html.contains(&format!("data-client=\"{id}\"")), "{html}");
    // The secret is never shown again.
    let (_, html) = ada.browser.page(&format!("/admin/clients/{id}")).await;
    assert!(!html.contains(&secret), "{html}");
    assert!(html.contains("api:read"), "{html}");

    let created = events_of_kind(&app, "client.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    assert!(created[0].ip.is_some());
    assert!(
        created[0].detail.contains("\"passkey\""),
        "{}",
        created[0].detail
    );
    assert!(!created[0].detail.contains(&secret));
}

#[tokio::test]
async fn a_refused_registration_or_change_shows_why_keeps_the_input_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    ada.browser.page("/admin/clients").await;
    let mut bad = WIKI.to_vec();
    bad[1] = ("redirect_uris", "http://wiki.example.com/cb");
    let (status, _, html) = ada.browser.post_form("/admin/clients", &bad).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("id=\"error\""), "{html}");
    assert!(html.contains("Redirect URIs:"), "{html}");
    assert!(
        html.contains("http://wiki.example.com/cb"),
        "the input is kept"
    );
    assert_eq!(clients(&app), 0);

    let (id, _) = register(&mut ada).await;
    let path = format!("/admin/clients/{id}");
    let mut change = WIKI.to_vec();
    change[3] = ("min_acr", "phr9");
    let (status, _, html) = ada.browser.post_form(&path, &change).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("Minimum level"), "{html}");
    change[3] = ("min_acr", "phr");
    change[4] = ("scopes", "openid bad\"scope");
    let (status, _, html) = ada.browser.post_form(&path, &change).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("Scopes:"), "{html}");
    assert!(events_of_kind(&app, "client.updated").await.is_empty());

    // A good change: saved, audited with old and new values.
    change[0] = ("name", "Team wiki");
    change[4] = ("scopes", "openid");
    change.push(("first_party", "on"));
    let (status, location, _) = ada.browser.post_form(&path, &change).await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("{path}?done=updated"));
    let (_, html) = ada.browser.page(&format!("{path}?done=updated")).await;
    assert!(html.contains("<h1>Team wiki"), "{html}");
    assert!(html.contains("id=\"flash\""), "{html}");
    let updated = events_of_kind(&app, "client.updated").await;
    assert_eq!(updated.len(), 1);
    assert!(
        updated[0].detail.contains("\"old\":\"Wiki\""),
        "{}",
        updated[0].detail
    );
    assert_eq!(updated[0].actor.as_deref(), Some(&*ada.user_id.to_string()));

    // Unknown and malformed ids.
    let (status, _) = ada
        .browser
        .page("/admin/clients/lk_00000000000000000000000000000000")
        .await;
    assert_eq!(status, 404);
    let (status, _) = ada.browser.page("/admin/clients/not%20an%20id").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_rotated_secret_overlaps_with_the_old_one_and_disabling_stops_both() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (id, old) = register(&mut ada).await;
    let path = format!("/admin/clients/{id}");

    ada.browser.page(&path).await;
    let (status, _, html) = ada
        .browser
        .post_form(&format!("{path}/rotate"), &[("overlap", "1h")])
        .await;
    assert_eq!(status, 200, "{html}");
    let new = code(&html, "client-secret");
    assert_ne!(new, old);
    assert!(html.contains("id=\"overlap\""), "{html}");
    assert_eq!(token_status(&app, &id, &old).await, 200);
    assert_eq!(token_status(&app, &id, &new).await, 200);
    let (_, html) = ada.browser.page(&path).await;
    assert!(html.contains("Previous secret accepted until"), "{html}");

    app.clock.advance(Duration::minutes(61));
    assert_eq!(token_status(&app, &id, &old).await, 401);
    assert_eq!(token_status(&app, &id, &new).await, 200);

    let rotated = events_of_kind(&app, "client.secret_rotated").await;
    assert_eq!(rotated.len(), 1);
    assert!(!rotated[0].detail.contains(&new) && !rotated[0].detail.contains(&old));

    // A bad overlap changes nothing (after a fresh step-up).
    step_up(&app, &mut ada.browser, &mut ada.auth).await;
    let (status, _, _) = ada
        .browser
        .post_form(&format!("{path}/rotate"), &[("overlap", "forever")])
        .await;
    assert_eq!(status, 400);
    assert_eq!(token_status(&app, &id, &new).await, 200);

    let (status, location, _) = ada.browser.post_form(&format!("{path}/disable"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("{path}?done=disabled"));
    assert_eq!(token_status(&app, &id, &new).await, 401);
    let (_, html) = ada.browser.page(&format!("{path}?done=disabled")).await;
    assert!(html.contains("id=\"enable\""), "{html}");

    let (status, _, _) = ada.browser.post_form(&format!("{path}/enable"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(token_status(&app, &id, &new).await, 200);
}

async fn step_up(
    app: &TestApp,
    browser: &mut Browser,
    auth: &mut latchkey_testkit::SoftAuthenticator,
) {
    let options = browser
        .post_json("/stepup/options", &serde_json::json!({}))
        .await;
    let credential = auth.authenticate(&options.body, &app.address);
    let done = browser
        .post_json(
            "/stepup/finish",
            &serde_json::json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
}
