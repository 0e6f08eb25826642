//! Settings changed at run time from the console: self sign-up opens and
//! closes without a restart, each change audited with old and new value;
//! bad values and non-administrators change nothing.

use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{bootstrap_admin, invited_user};

async fn signup_status(app: &TestApp) -> u16 {
    app.client
        .get(app.url("/signup"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn self_signup_opens_and_closes_from_the_console_without_a_restart() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    assert_eq!(signup_status(&app).await, 404);
    let (status, html) = ada.browser.page("/admin/settings").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("value=\"closed\" checked"), "{html}");

    let (status, location, body) = ada
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "open")])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/admin/settings?done=saved"));
    assert_eq!(signup_status(&app).await, 200);
    let changed = events_of_kind(&app, "setting.changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    assert!(
        changed[0].detail.contains("\"new\":true") && changed[0].detail.contains("\"old\":false"),
        "{}",
        changed[0].detail
    );
    // The same value again: nothing to record.
    ada.browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "open")])
        .await;
    assert_eq!(events_of_kind(&app, "setting.changed").await.len(), 1);

    // Bad values and non-administrators: refused, nothing changes.
    for bad in ["", "yes", "OPEN"] {
        let (status, _, body) = ada
            .browser
            .post_form("/admin/settings/self-signup", &[("self_signup", bad)])
            .await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert!(body.contains("either open or closed"), "{body}");
    }
    let mut bob = invited_user(&app, "bob").await;
    bob.browser.page("/account").await;
    let (status, _, _) = bob
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "closed")])
        .await;
    assert_eq!(status, 403);
    assert_eq!(signup_status(&app).await, 200);

    let (status, _, _) = ada
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "closed")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(signup_status(&app).await, 404);
    assert_eq!(events_of_kind(&app, "setting.changed").await.len(), 2);
}

#[tokio::test]
async fn refresh_token_lifetime_set_in_the_console_applies_to_the_next_sign_in_and_is_bounded() {
    use openidconnect::OAuth2TokenResponse as _;

    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (_, html) = ada.browser.page("/admin/settings").await;
    assert!(html.contains("name=\"hours\""), "{html}");
    assert!(html.contains("value=\"720\""), "{html}");

    // Out of range or not a number: refused with the range, nothing changed.
    for bad in ["0", "2161", "-5", "twelve", "", "1.5"] {
        let (status, _, body) = ada
            .browser
            .post_form("/admin/settings/refresh-lifetime", &[("hours", bad)])
            .await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert!(body.contains("between 1 and 2160 hours"), "{body}");
    }
    assert!(events_of_kind(&app, "setting.changed").await.is_empty());

    let (status, _, body) = ada
        .browser
        .post_form("/admin/settings/refresh-lifetime", &[("hours", "2")])
        .await;
    assert_eq!(status, 303, "{body}");
    let changed = events_of_kind(&app, "setting.changed").await;
    assert_eq!(changed.len(), 1);
    assert!(
        changed[0].detail.contains("\"old\":720") && changed[0].detail.contains("\"new\":2"),
        "{}",
        changed[0].detail
    );

    // The next sign-in's refresh token lasts two hours, not thirty days.
    let rp = crate::oidc::Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = crate::oidc::authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    app.clock.advance(chrono::Duration::hours(3));
    let refused = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(crate::oidc::token_error(refused), "invalid_grant");
}
