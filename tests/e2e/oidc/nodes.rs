//! Two nodes behind one issuer share the database and the session store: an
//! authorization request or a sign-in started on one finishes on the other,
//! and what one node revokes the other refuses at once.

use std::collections::BTreeMap;

use latchkey_testkit::TestApp;
use latchkey_testkit::sessions::test_redis_url;
use openidconnect::OAuth2TokenResponse as _;
use serde_json::Value;

use super::{REDIRECT_URI, Rp, active, code_from, get, revoke, sign_in_at};
use crate::people::{bootstrap_admin, sign_in_finish, sign_in_options};

/// A first node, with the settings the second one will share.
async fn first_node() -> (TestApp, BTreeMap<String, String>) {
    let mut shared = BTreeMap::new();
    if test_redis_url().is_some() {
        shared.insert(
            "LATCHKEY_REDIS_PREFIX".to_owned(),
            format!("lktest:{}:", uuid::Uuid::new_v4().simple()),
        );
    }
    (TestApp::spawn_with(shared.clone()).await, shared)
}

/// A second node on `one`'s database, session store, master key and issuer.
/// (Start it after the first administrator exists: a start while none does
/// replaces the bootstrap link.)
async fn second_node(one: &TestApp, shared: BTreeMap<String, String>) -> TestApp {
    let mut settings = shared;
    settings.insert("LATCHKEY_DATABASE_URL".into(), one.db.url_text.clone());
    settings.insert(
        "LATCHKEY_MASTER_KEY_FILE".into(),
        one.data_dir.path().join("master.key").display().to_string(),
    );
    settings.insert("LATCHKEY_ISSUER".into(), one.address.clone());
    TestApp::spawn_with(settings).await
}

#[tokio::test]
async fn a_pending_authorization_request_resumes_after_sign_in_on_another_node() {
    let (one, shared) = first_node().await;
    let mut ada = bootstrap_admin(&one).await;
    let two = second_node(&one, shared).await;

    let rp = Rp::new(&one).await;
    let started = rp.start(&["openid"], |r| r);

    // A browser that is not signed in starts on node one...
    let mut browser = two.browser();
    let (status, location, _) = get(&browser, started.url.as_str()).await;
    assert_eq!(status, 303);
    // ...signs in and resumes on node two (the load balancer moved it).
    let next = sign_in_at(&one, &mut browser, &mut ada.auth, &location.unwrap()).await;
    let (status, location, body) = get(&browser, &next).await;
    assert_eq!(status, 303, "{body}");
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    // Node one redeems the code node two issued.
    let (_, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(claims.subject().as_str(), ada.user_id.to_string());
    assert_eq!(claims.issuer().as_str(), one.address);
}

/// Whether `app` says the access token is active, asked by `rp`.
async fn active_at(app: &TestApp, rp: &Rp, token: &str) -> bool {
    let res = app
        .client
        .post(app.url("/introspect"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["active"].as_bool().unwrap()
}

/// The status of `app`'s userinfo for the access token.
async fn userinfo_at(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(app.url("/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A token request of `rp` at `app`: status and body.
async fn token_at(app: &TestApp, rp: &Rp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/token"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_sign_in_begun_on_one_node_finishes_on_the_other_and_each_revocation_is_seen_by_both() {
    let (one, shared) = first_node().await;
    let mut ada = bootstrap_admin(&one).await;
    let two = second_node(&one, shared).await;
    let rp = Rp::new(&one).await;

    // The ceremony's options come from node one, the assertion goes to node
    // two; the authorization continues on node two.
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let mut browser = one.browser();
    let (status, location, _) = get(&browser, started.url.as_str()).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    let next: String = url::form_urlencoded::parse(&location.as_bytes()["/signin?".len()..])
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &one.address);
    browser.base = two.address.clone();
    let done = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    let (status, location, body) = get(&browser, &next).await;
    assert_eq!(status, 303, "{body}");
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    let verifier = started.verifier.secret().clone();
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let access = tokens.access_token().secret().clone();

    // The code is spent for both nodes, and its replay on node two revokes
    // what node one issued for it.
    assert!(active_at(&two, &rp, &access).await);
    assert_eq!(userinfo_at(&two, &access).await, 200);
    let replay = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, body) = token_at(&two, &rp, &replay).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &Value::from("invalid_grant"))
    );
    assert!(!active_at(&one, &rp, &access).await);
    assert_eq!(userinfo_at(&one, &access).await, 401);
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    let (status, _) = token_at(
        &two,
        &rp,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 400, "the code's refresh family ended with it");

    // A new grant (the browser is signed in): an access token revoked on
    // node one is refused by node two at once.
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let (status, location, body) = get(&browser, started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let access = tokens.access_token().secret().clone();
    assert!(active_at(&two, &rp, &access).await);
    revoke(&one, &rp, &access).await;
    assert!(!active_at(&two, &rp, &access).await);
    assert_eq!(userinfo_at(&two, &access).await, 401);

    // A refresh token rotated on node two and presented again on node one
    // revokes the family, and the access token node two issued with it.
    let old = tokens.refresh_token().unwrap().secret().clone();
    let refresh_grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", old.as_str()),
    ];
    let (status, rotated) = token_at(&two, &rp, &refresh_grant).await;
    assert_eq!(status, 200, "{rotated}");
    let newer = rotated["access_token"].as_str().unwrap();
    assert!(active(&rp, &openidconnect::AccessToken::new(newer.to_owned())).await);
    let (status, body) = token_at(&one, &rp, &refresh_grant).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &Value::from("invalid_grant"))
    );
    assert!(!active_at(&two, &rp, newer).await);
    assert!(!active_at(&one, &rp, newer).await);
}
