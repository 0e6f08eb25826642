//! `next` after sign-in, step-up and adding a passkey is followed only to a
//! path on this site: whatever a browser would read as another host falls
//! back to the account page.

use latchkey_testkit::TestApp;
use serde_json::json;

use crate::people::{bootstrap_admin, sign_in, sign_in_finish, sign_in_options};

/// Values that browsers resolve to another origin.
const FOREIGN: &[&str] = &[
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "//evil.example",
    "/\\/evil.example",
    "/.//evil.example",
    "https://evil.example/",
    "http://localhost:1/account",
    "javascript:alert(1)",
];

/// A fine relative path, kept as it is.
const LOCAL: &str = "/account/passkeys/here";

fn query(next: &str) -> String {
    url::form_urlencoded::byte_serialize(next.as_bytes()).collect()
}

fn data_next(html: &str) -> String {
    html.split("data-next=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn sign_in_page_follows_next_only_to_a_path_on_this_site() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    for next in FOREIGN {
        let (status, html) = browser.page(&format!("/signin?next={}", query(next))).await;
        assert_eq!(status, 200, "{next:?}");
        assert_eq!(data_next(&html), "/account", "{next:?}");
    }
    let (_, html) = browser
        .page(&format!("/signin?next={}", query(LOCAL)))
        .await;
    assert_eq!(data_next(&html), LOCAL);
    // Encoded separators stay encoded: still a path here.
    let (_, html) = browser.page("/signin?next=%2F%2509%2Fevil.example").await;
    assert_eq!(data_next(&html), "/%09/evil.example");
}

#[tokio::test]
async fn sign_in_finish_redirects_only_to_a_path_on_this_site() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    for next in FOREIGN.iter().chain([&LOCAL]) {
        let mut browser = app.browser();
        let options = sign_in_options(&mut browser).await;
        let credential = ada.auth.authenticate(&options.body, &app.address);
        let done = browser
            .post_json(
                "/signin/finish",
                &json!({ "ceremony": options.body["ceremony"], "credential": credential, "flow": "modal", "next": next }),
            )
            .await;
        assert_eq!(done.status, 200, "{:?}", done.body);
        let expected = if *next == LOCAL { LOCAL } else { "/account" };
        assert_eq!(done.body["redirect"], expected, "{next:?}");
    }
    // The cross-device offer carries the checked value on.
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(&mut browser, &options, credential, "cross-device").await;
    assert_eq!(
        done.body["redirect"],
        "/account/passkeys/here?next=%2Faccount"
    );
}

#[tokio::test]
async fn step_up_and_passkey_here_pages_follow_next_only_to_a_path_on_this_site() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut browser = sign_in(&app, &mut ada.auth).await;
    for next in FOREIGN {
        let (status, html) = browser.page(&format!("/stepup?next={}", query(next))).await;
        assert_eq!(status, 200, "{next:?}");
        assert_eq!(data_next(&html), "/account", "{next:?}");
        let (status, html) = browser
            .page(&format!("/account/passkeys/here?next={}", query(next)))
            .await;
        assert_eq!(status, 200, "{next:?}");
        assert!(html.contains("href=\"/account\""), "{next:?}: {html}");
        assert!(!html.contains("evil.example"), "{next:?}: {html}");
    }
    let (_, html) = browser
        .page(&format!("/stepup?next={}", query(LOCAL)))
        .await;
    assert_eq!(data_next(&html), LOCAL);
}
