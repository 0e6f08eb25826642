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

/// GETs `path` with `If-None-Match: etag`: status, ETag, body.
async fn revalidate(app: &TestApp, path: &str, etag: Option<&str>) -> (u16, String, String) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.address));
    if let Some(etag) = etag {
        req = req.header("if-none-match", etag);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    (status, etag, res.text().await.unwrap())
}

#[tokio::test]
async fn jwks_and_discovery_revalidate_with_their_etag_and_a_rotation_changes_the_jwks_one() {
    let app = TestApp::spawn().await;
    for path in ["/jwks", "/.well-known/openid-configuration"] {
        let (status, etag, body) = revalidate(&app, path, None).await;
        assert_eq!(status, 200);
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");
        let (status, again, body) = revalidate(&app, path, Some(&etag)).await;
        assert_eq!(
            (status, again.as_str(), body.as_str()),
            (304, etag.as_str(), "")
        );
        let (status, _, body) = revalidate(&app, path, Some("\"something-else\"")).await;
        assert_eq!(status, 200);
        assert!(!body.is_empty());
    }
    let (_, before, _) = revalidate(&app, "/jwks", None).await;
    rotate(&app).await;
    let (status, after, body) = revalidate(&app, "/jwks", Some(&before)).await;
    assert_eq!(status, 200, "a new key ring is a new document");
    assert_ne!(after, before);
    let served: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        served["keys"].as_array().unwrap().len(),
        kids(&app).await.len()
    );
}
