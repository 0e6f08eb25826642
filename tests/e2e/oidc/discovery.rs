//! Discovery and JWKS publish exactly what is implemented.

use latchkey_testkit::TestApp;
use serde_json::Value;

#[tokio::test]
async fn discovery_and_jwks_publish_what_is_implemented() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    let text = serde_json::to_string(&doc)
        .unwrap()
        .replace(&app.address, "http://localhost:[port]");
    let doc: Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("served_discovery", doc);

    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    // The active ES256 key and the next one, published before it signs.
    assert_eq!(keys.len(), 2, "{jwks}");
    for k in keys {
        assert_eq!(k["kty"], "EC");
        assert_eq!(k["crv"], "P-256");
        assert_eq!(k["alg"], "ES256");
        assert_eq!(k["use"], "sig");
        assert!(k["kid"].is_string());
        assert!(k.get("d").is_none(), "no private part: {k}");
    }
    insta::assert_json_snapshot!("served_jwks", jwks, {
        ".keys[].kid" => "[kid]",
        ".keys[].x" => "[x]",
        ".keys[].y" => "[y]",
    });
}
