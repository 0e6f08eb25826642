//! Signing keys seen from outside: rotation keeps earlier tokens valid, and
//! clients may ask for RS256 or EdDSA ID tokens.

use latchkey_core::Clock as _;
use latchkey_testkit::TestApp;
use openidconnect::OAuth2TokenResponse as _;
use openidconnect::TokenResponse as _;
use serde_json::Value;

use super::jwt_part;
use super::{ClientOptions, Rp, authorize};
use crate::people::bootstrap_admin;

async fn kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// What `latchkey keys rotate` does, then the reload every node does.
async fn rotate(app: &TestApp) {
    let (master, audit, keys, now) = (
        app.state.master.clone(),
        app.state.audit.clone(),
        app.state.keys.clone(),
        app.clock.now(),
    );
    app.state
        .db
        .run(move |c| {
            latchkey_oidc::keys::rotate(c, &master, &audit, now, chrono::Duration::hours(1))
                .unwrap();
            keys.reload(c, &master, now).unwrap();
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn tokens_signed_before_a_rotation_still_verify_after_it() {
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
    assert_eq!(published.len(), 2);
    assert!(published.contains(&old_kid));
    let next_kid = published.iter().find(|k| **k != old_kid).unwrap().clone();

    rotate(&app).await;
    app.clock.advance(chrono::Duration::minutes(2));

    // The next key (published in advance) signs now; the old one is still
    // published, and a new next key is too.
    let after_rotation = kids(&app).await;
    assert_eq!(after_rotation.len(), 3, "{after_rotation:?}");
    assert!(after_rotation.contains(&old_kid) && after_rotation.contains(&next_kid));

    // A relying party that fetches the JWKS again still verifies the old ID
    // token; the old access token still works at userinfo.
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
    assert_eq!(
        res.status(),
        200,
        "an access token signed before the rotation"
    );

    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (after, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(
        jwt_part(&after.id_token().unwrap().to_string(), 0)["kid"],
        next_kid.as_str()
    );

    // Once the retired key's tokens have all expired, it is withdrawn.
    app.clock.advance(chrono::Duration::hours(2));
    let (master, keys, now) = (
        app.state.master.clone(),
        app.state.keys.clone(),
        app.clock.now(),
    );
    app.state
        .db
        .run(move |c| {
            keys.reload(c, &master, now).unwrap();
            Ok(())
        })
        .await
        .unwrap();
    assert!(!kids(&app).await.contains(&old_kid));
}

#[tokio::test]
async fn clients_may_ask_for_rs256_or_eddsa_id_tokens() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    for alg in ["RS256", "EdDSA"] {
        let rp = Rp::with(
            &app,
            ClientOptions {
                alg,
                ..ClientOptions::default()
            },
        )
        .await;
        let started = rp.start(&["openid"], |r| r);
        let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
        let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
        assert_eq!(
            jwt_part(&tokens.id_token().unwrap().to_string(), 0)["alg"],
            alg
        );
        // Access tokens stay ES256 whatever the client's ID token algorithm.
        assert_eq!(jwt_part(tokens.access_token().secret(), 0)["alg"], "ES256");
    }
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256", "RS256", "EdDSA"])
    );
}
