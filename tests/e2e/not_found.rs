//! Unknown paths get the site's error page (or JSON, for a client that asks
//! for it), not an empty body that leaves the browser to show its own page.

use latchkey_testkit::TestApp;

#[tokio::test]
async fn unknown_paths_get_the_sites_error_page() {
    let app = TestApp::spawn().await;
    for path in [
        "/no/such/page",
        "/static/nothing.js",
        "/account/nowhere",
        "/token",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(
            res.headers().contains_key("content-security-policy"),
            "{path}"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("<html"), "{path}: {html}");
        assert!(html.contains("This page does not exist."), "{path}: {html}");
        assert!(html.contains("/static/latchkey.css"), "{path}: {html}");
    }
}

#[tokio::test]
async fn unknown_paths_answer_json_to_a_client_that_asks_for_it() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/no/such/endpoint"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}
