//! Input that does not parse gets the site's error page (or, for a client
//! that asks for JSON, the JSON error) with a fixed sentence: never the
//! parser's plain-text message naming fields.

use latchkey_testkit::TestApp;
use latchkey_web::error::{MALFORMED_ADDRESS, MALFORMED_FORM};

async fn page(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    (status, content_type, res.text().await.unwrap())
}

fn assert_no_parser_words(body: &str) {
    for word in [
        "missing field",
        "duplicate field",
        "csrf`",
        "`next`",
        "unknown variant",
    ] {
        assert!(!body.contains(word), "{word}: {body}");
    }
}

#[tokio::test]
async fn a_form_that_does_not_parse_gets_the_error_page_with_a_fixed_sentence() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/signout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("label=x")
        .send()
        .await
        .unwrap();
    let (status, content_type, body) = page(res).await;
    assert_eq!(status, 400, "{body}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("<html"), "{body}");
    assert!(body.contains(MALFORMED_FORM), "{body}");
    assert_no_parser_words(&body);
}

#[tokio::test]
async fn a_form_over_the_limit_gets_the_error_page_with_413() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/signout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}", "a".repeat(70 * 1024)))
        .send()
        .await
        .unwrap();
    let (status, content_type, body) = page(res).await;
    assert_eq!(status, 413, "{body}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("The request body is too large."), "{body}");
}

#[tokio::test]
async fn a_query_that_does_not_parse_gets_the_error_page_or_json_with_a_fixed_sentence() {
    let app = TestApp::spawn().await;
    let (status, content_type, body) = page(app.get("/signin?next=/a&next=/b").await).await;
    assert_eq!(status, 400, "{body}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains(MALFORMED_ADDRESS), "{body}");
    assert_no_parser_words(&body);

    let res = app
        .client
        .get(app.url("/signin?next=/a&next=/b"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "malformed_request");
    assert_eq!(body["message"], MALFORMED_ADDRESS);
}

#[tokio::test]
async fn a_json_body_that_does_not_parse_gets_a_json_error_with_a_fixed_sentence() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let csrf = browser.csrf().await;
    let res = browser
        .client
        .post(app.url("/signin/finish"))
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(r#"{"ceremony": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let text = res.text().await.unwrap();
    assert_no_parser_words(&text);
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"], "malformed_request");
}
