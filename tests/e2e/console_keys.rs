//! The console's signing keys: the key ring as this node holds it, and
//! "Rotate now" — the operation of `latchkey keys rotate`, audited with the
//! administrator; tokens signed before keep verifying during the overlap.

use latchkey_testkit::TestApp;
use openidconnect::OAuth2TokenResponse as _;
use openidconnect::TokenResponse as _;
use serde_json::Value;

use crate::console_audit::events_of_kind;
use crate::oidc::{Rp, authorize, jwt_part};
use crate::people::{bootstrap_admin, invited_user};

async fn kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn row_of(html: &str, kid: &str) -> String {
    html.split(&format!("<tr data-kid=\"{kid}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no row for {kid}: {html}"))
        .split("</tr>")
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn rotating_from_the_console_publishes_the_new_key_and_keeps_old_tokens_valid() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let nonce = started.nonce.clone();
    let (before, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let old_kid = jwt_part(&before.id_token().unwrap().to_string(), 0)["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = kids(&app).await;
    let next_kid = published.iter().find(|k| **k != old_kid).unwrap().clone();

    let (status, html) = ada.browser.page("/admin/keys").await;
    assert_eq!(status, 200, "{html}");
    let active = row_of(&html, &old_kid);
    assert!(
        active.contains("data-state=\"active\"") && active.contains("ES256"),
        "{active}"
    );
    assert!(row_of(&html, &next_kid).contains("data-state=\"next\""));

    let (status, location, body) = ada.browser.post_form("/admin/keys/rotate", &[]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/admin/keys?done=rotated"));

    // This node serves the new ring at once: the former next key signs, the
    // former active key is retired but published, and a new next key is.
    let after = kids(&app).await;
    assert_eq!(after.len(), 3, "{after:?}");
    let new_next = after
        .iter()
        .find(|k| **k != old_kid && **k != next_kid)
        .unwrap()
        .clone();
    let (_, html) = ada.browser.page("/admin/keys?done=rotated").await;
    assert!(html.contains("id=\"flash\""), "{html}");
    assert!(row_of(&html, &old_kid).contains("data-state=\"retired\""));
    assert!(row_of(&html, &next_kid).contains("data-state=\"active\""));
    assert!(row_of(&html, &new_next).contains("data-state=\"next\""));

    // The old ID token verifies against the JWKS fetched again; new tokens
    // are signed by the promoted key.
    let mut rp = rp;
    rp.rediscover(&app).await;
    rp.verify_id_token(&before, &nonce);
    let res = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(before.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (fresh, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(
        jwt_part(&fresh.id_token().unwrap().to_string(), 0)["kid"],
        next_kid.as_str()
    );

    // Audited with the administrator.
    let activated = events_of_kind(&app, "signing_key.activated").await;
    assert_eq!(activated.len(), 1);
    assert_eq!(
        activated[0].actor.as_deref(),
        Some(&*ada.user_id.to_string())
    );
}

#[tokio::test]
async fn keys_are_for_administrators_with_a_form_token() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let before = kids(&app).await;
    assert_eq!(bob.browser.page("/admin/keys").await.0, 403);
    bob.browser.page("/account").await;
    assert_eq!(
        bob.browser.post_form("/admin/keys/rotate", &[]).await.0,
        403
    );
    ada.browser.page("/admin/keys").await;
    let forged = ada
        .browser
        .client
        .post(ada.browser.url("/admin/keys/rotate"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(kids(&app).await, before);
    assert!(
        events_of_kind(&app, "signing_key.activated")
            .await
            .is_empty()
    );
}
