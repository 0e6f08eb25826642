//! Two nodes behind one issuer share the database and the session store: an
//! authorization request started on one resumes on the other.

use std::collections::BTreeMap;

use latchkey_testkit::TestApp;
use latchkey_testkit::sessions::test_redis_url;

use super::{Rp, code_from, get, sign_in_at};
use crate::people::bootstrap_admin;

#[tokio::test]
async fn a_pending_authorization_request_resumes_after_sign_in_on_another_node() {
    let mut shared = BTreeMap::new();
    if test_redis_url().is_some() {
        shared.insert(
            "LATCHKEY_REDIS_PREFIX".to_owned(),
            format!("lktest:{}:", uuid::Uuid::new_v4().simple()),
        );
    }
    let one = TestApp::spawn_with(shared.clone()).await;
    // (Before node two starts: a start while no administrator exists
    // replaces the bootstrap link.)
    let mut ada = bootstrap_admin(&one).await;
    let mut two_settings = shared;
    two_settings.insert("LATCHKEY_DATABASE_URL".into(), one.db.url_text.clone());
    two_settings.insert(
        "LATCHKEY_MASTER_KEY_FILE".into(),
        one.data_dir.path().join("master.key").display().to_string(),
    );
    two_settings.insert("LATCHKEY_ISSUER".into(), one.address.clone());
    let two = TestApp::spawn_with(two_settings).await;

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
