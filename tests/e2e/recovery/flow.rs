//! A recovery from start to finish, and its enrolment grant.

use std::collections::BTreeMap;

use latchkey_core::GuardedActionId;
use latchkey_recovery::State;
use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::{Browser, TestApp};
use latchkey_web::recover_state::{COOKIE, Recovering};
use serde_json::json;

use super::{
    code, codes_in, newest_mail, onboarding_codes, requests_of, shown_state, start, state_of,
};
use crate::people::{
    bootstrap_admin, invited_user, session_count, sign_in, sign_in_finish, sign_in_options,
};

/// Posts the completion from `browser`; returns the recovery cookie it set
/// (`name=value`), which now carries the enrolment grant.
async fn complete(browser: &mut Browser) -> String {
    let csrf = browser.csrf().await;
    let res = browser
        .client
        .post(browser.url("/recover/complete"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/recover/enrol");
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{COOKIE}=")))
        .and_then(|v| v.split(';').next())
        .expect("the recovery cookie, with the grant")
        .to_owned()
}

/// Posts JSON from `browser` with exactly `cookie` as its recovery cookie
/// (a browser that holds someone else's grant, or one replayed).
async fn post_with_cookie(
    browser: &mut Browser,
    path: &str,
    cookie: &str,
) -> (u16, serde_json::Value) {
    let csrf = browser.csrf().await;
    let res = browser
        .client
        .post(browser.url(path))
        .header(
            "cookie",
            format!("{}={csrf}; {cookie}", latchkey_web::cookies::CSRF),
        )
        .header("x-csrf-token", csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

/// Bob, who saved his codes and has two signed-in browsers, loses his
/// passkey; a new browser takes the recovery to ready (the default
/// standard policy: one proof, one hour).
async fn ready_recovery(app: &TestApp) -> (crate::people::Person, Browser, GuardedActionId) {
    let _ada = bootstrap_admin(app).await;
    let mut bob = invited_user(app, "bob").await;
    let codes = onboarding_codes(&mut bob).await;
    assert_eq!(codes.len(), 10);
    let (mut browser, to) = start(app, "bob").await;
    assert_eq!(to.as_deref(), Some("/recover/factor"));
    let id = requests_of(app, bob.user_id).await[0].id;
    let (status, to, body) = code(&mut browser, &codes[0]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(to.as_deref(), Some("/recover/status"));
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(shown_state(&mut browser).await, "ready");
    (bob, browser, id)
}

#[tokio::test]
async fn a_user_who_lost_every_passkey_recovers_with_a_code_and_signs_in_with_a_new_one() {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let codes = onboarding_codes(&mut bob).await;
    let _elsewhere = sign_in(&app, &mut bob.auth).await;
    assert_eq!(session_count(&app, bob.user_id).await, 2);

    // The sign-in page offers the way in.
    let (_, signin) = app.browser().page("/signin").await;
    assert!(signin.contains("href=\"/recover\""), "{signin}");

    let (mut browser, to) = start(&app, "bob@example.com").await;
    assert_eq!(to.as_deref(), Some("/recover/factor"));
    let open = requests_of(&app, bob.user_id).await;
    assert_eq!(open.len(), 1);
    let id = open[0].id;
    assert_eq!(open[0].state, State::Requested);
    let notice = newest_mail(&app, "A request to recover the account")
        .await
        .expect("the owner is told at once");
    assert!(notice.contains("/recovery/cancel#lkx_"), "{notice}");
    assert_eq!(shown_state(&mut browser).await, "requested");

    let (status, _, body) = code(&mut browser, &codes[0]).await;
    assert_eq!(status, 303, "{body}");
    let (_, html) = browser.page("/recover/status").await;
    assert!(html.contains("data-state=\"waiting\""), "{html}");
    assert!(html.contains("<strong>1 hour</strong>"), "{html}");
    assert!(html.contains("id=\"auto-refresh\""), "{html}");

    // Not before the waiting period ends.
    let (status, _, _) = browser.post_form("/recover/complete", &[]).await;
    assert_eq!(status, 400);
    app.clock.advance(chrono::Duration::minutes(59));
    assert!(
        browser
            .page("/recover/status")
            .await
            .1
            .contains("<strong>1 minute</strong>")
    );
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(shown_state(&mut browser).await, "ready");

    complete(&mut browser).await;
    assert_eq!(state_of(&app, id).await, State::Completed);
    let uid = bob.user_id;
    let active = app
        .state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, uid))
        .await
        .unwrap();
    assert!(active.is_empty(), "the old passkey is revoked");
    assert_eq!(session_count(&app, bob.user_id).await, 0);
    let (status, _) = bob.browser.page("/account").await;
    assert_eq!(status, 303, "the old browser is signed out");

    let (status, html) = browser.page("/recover/enrol").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<strong>bob</strong>"), "{html}");
    let mut new_key = SoftAuthenticator::new();
    let options = browser
        .post_json("/recover/enrol/options", &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = new_key.register(&options.body, &app.address);
    let done = browser
        .post_json(
            "/recover/enrol/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["redirect"], "/onboarding");

    // Fresh codes, shown once; the old ones are gone.
    let (_, html) = browser.page("/onboarding").await;
    let fresh = codes_in(&html);
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    let (_, again) = browser.page("/onboarding").await;
    assert!(!again.contains("id=\"recovery-codes\""));
    let (status, html) = browser.page("/account").await;
    assert_eq!(status, 200, "signed in after recovery: {html}");
    assert!(
        newest_mail(&app, "Completed: recover the account")
            .await
            .is_some()
    );

    // The old passkey cannot sign in; the new one can.
    let mut old = app.browser();
    let options = sign_in_options(&mut old).await;
    let assertion = bob.auth.authenticate(&options.body, &app.address);
    let refused = sign_in_finish(&mut old, &options, assertion, "modal").await;
    assert_ne!(refused.status, 200, "{:?}", refused.body);
    let mut signed_in = sign_in(&app, &mut new_key).await;
    assert_eq!(signed_in.page("/account").await.0, 200);
}

#[tokio::test]
async fn the_enrolment_grant_works_once_and_only_in_the_browser_that_made_the_request() {
    let app = TestApp::spawn().await;
    let (_bob, mut browser, id) = ready_recovery(&app).await;
    let with_grant = complete(&mut browser).await;

    // Another browser holding the grant, with its own binding secret.
    let (_, value) = with_grant.split_once('=').unwrap();
    let payload = value.split('.').next().unwrap();
    use base64::Engine as _;
    let mine: Recovering = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(mine.grant.is_some());
    let theirs = Recovering {
        handle: latchkey_web::recover_state::new_handle().unwrap(),
        ..mine.clone()
    };
    let forged = theirs.cookie(&app.state).to_string();
    let forged = forged.split(';').next().unwrap();
    let mut other = app.browser();
    let (status, body) = post_with_cookie(&mut other, "/recover/enrol/options", forged).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "grant_invalid");

    // The browser that made it enrols once.
    let mut key = SoftAuthenticator::new();
    let options = browser
        .post_json("/recover/enrol/options", &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = key.register(&options.body, &app.address);
    let done = browser
        .post_json(
            "/recover/enrol/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);

    // The same cookie again (replayed): the grant is spent.
    let (status, body) = post_with_cookie(&mut other, "/recover/enrol/options", &with_grant).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "grant_invalid");
    assert_eq!(state_of(&app, id).await, State::Completed);
}

#[tokio::test]
async fn five_wrong_codes_lock_the_request_and_tell_the_owner() {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let codes = onboarding_codes(&mut bob).await;
    let (mut browser, _) = start(&app, "bob").await;
    let id = requests_of(&app, bob.user_id).await[0].id;
    for left in (1..=4).rev() {
        let (status, _, html) = code(&mut browser, "wrong-code-0000").await;
        assert_eq!(status, 400, "{html}");
        let plural = if left == 1 { "" } else { "s" };
        assert!(
            html.contains(&format!("{left} attempt{plural} left")),
            "{html}"
        );
    }
    let (status, to, _) = code(&mut browser, "wrong-code-0000").await;
    assert_eq!(status, 303);
    assert_eq!(to.as_deref(), Some("/recover/status"));
    assert_eq!(state_of(&app, id).await, State::Locked);
    assert_eq!(shown_state(&mut browser).await, "locked");
    assert!(newest_mail(&app, "Locked: the request").await.is_some());

    // A right code changes nothing now.
    let (status, to, _) = code(&mut browser, &codes[0]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/recover/status")));
    assert_eq!(state_of(&app, id).await, State::Locked);
}

#[tokio::test]
async fn a_short_delay_from_the_configuration_file_applies_to_new_recoveries() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latchkey.toml");
    std::fs::write(
        &file,
        r#"
[recovery.standard.recover_account]
factors = 1
factor_kinds = ["recovery_code", "email_link"]
delay = "5s"
approvals = 0
lifetime = "1h"
revokes = ["other_passkeys", "sessions", "refresh_families"]
"#,
    )
    .unwrap();
    let app = TestApp::spawn_with(BTreeMap::from([(
        "LATCHKEY_CONFIG".to_owned(),
        file.display().to_string(),
    )]))
    .await;
    let _ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let codes = onboarding_codes(&mut bob).await;
    let (mut browser, _) = start(&app, "bob").await;
    let (status, _, body) = code(&mut browser, &codes[3]).await;
    assert_eq!(status, 303, "{body}");
    let (_, html) = browser.page("/recover/status").await;
    assert!(html.contains("<strong>5 seconds</strong>"), "{html}");
    app.clock.advance(chrono::Duration::seconds(5));
    assert_eq!(shown_state(&mut browser).await, "ready");
}
