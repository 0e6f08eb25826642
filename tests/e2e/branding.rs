//! The instance's branding: configured in the file or the environment, and
//! changed by an administrator in the console (audited, applied on every
//! page at once). Bad values — a colour that fails WCAG AA, a logo too
//! large, of another type or with a script, a support link that is not
//! https — are refused with a clear sentence and change nothing.

use std::collections::BTreeMap;

use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{bootstrap_admin, invited_user};

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#1f4fd1"/></svg>"##;

async fn get(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

async fn stylesheet(app: &TestApp) -> String {
    let (status, _, body) = get(app, "/branding.css").await;
    assert_eq!(status, 200);
    String::from_utf8(body).unwrap()
}

#[tokio::test]
async fn an_administrator_brands_the_instance_and_every_node_serves_it() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    assert!(!stylesheet(&app).await.contains("--accent"));
    assert_eq!(get(&app, "/branding/logo").await.0, 404);

    let (status, html) = ada.browser.page("/admin/branding").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let (status, location, body) = ada
        .browser
        .post_multipart(
            "/admin/branding",
            &[
                ("name", "Acme Sign-in"),
                ("colour", "#1F4FD1"),
                ("support_url", "https://help.acme.example/id"),
            ],
            Some(("logo", SVG.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/admin/branding?done=saved"));

    // The colour is on every page's stylesheet, the logo served from our
    // origin as an image that can run nothing.
    assert!(stylesheet(&app).await.contains("--accent: #1f4fd1;"));
    let (status, headers, body) = get(&app, "/branding/logo").await;
    assert_eq!(status, 200);
    assert_eq!(body, SVG.as_bytes());
    assert_eq!(headers["content-type"], "image/svg+xml");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    // Revalidation answers 304 without the bytes.
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let res = app
        .client
        .get(app.url("/branding/logo"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);

    // One audit event naming what changed, the logo by hash and size.
    let changed = events_of_kind(&app, "setting.changed").await;
    assert_eq!(changed.len(), 1);
    let detail = &changed[0].detail;
    assert_eq!(changed[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    for field in [
        "\"name\"",
        "\"colour\"",
        "\"support_url\"",
        "\"logo\"",
        "sha256_prefix",
    ] {
        assert!(detail.contains(field), "{field}: {detail}");
    }
    assert!(
        !detail.contains("<svg"),
        "the logo's bytes are not audited: {detail}"
    );

    // The page shows what is stored; the same values again record nothing.
    let (_, html) = ada.browser.page("/admin/branding").await;
    assert!(html.contains("value=\"Acme Sign-in\""), "{html}");
    assert!(html.contains("value=\"#1f4fd1\""), "{html}");
    let same = [
        ("name", "Acme Sign-in"),
        ("colour", "#1f4fd1"),
        ("support_url", "https://help.acme.example/id"),
    ];
    let (status, _, _) = ada
        .browser
        .post_multipart("/admin/branding", &same, None)
        .await;
    assert_eq!(status, 303);
    assert_eq!(events_of_kind(&app, "setting.changed").await.len(), 1);

    // Removing the logo and the colour.
    let (status, _, body) = ada
        .browser
        .post_multipart(
            "/admin/branding",
            &[
                ("name", "Acme Sign-in"),
                ("colour", ""),
                ("remove_logo", "on"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(get(&app, "/branding/logo").await.0, 404);
    assert!(!stylesheet(&app).await.contains("--accent"));
}

/// The form's text fields, a logo to upload, and what the refusal says.
type Case<'a> = (Vec<(&'a str, &'a str)>, Option<Vec<u8>>, &'a str);

#[tokio::test]
async fn bad_branding_is_refused_with_the_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let good = |colour: &'static str| vec![("name", "Acme"), ("colour", colour)];
    let long = "x".repeat(65);
    let cases: Vec<Case> = vec![
        (good("#ffcc00"), None, "contrast ratio of 1.51:1"),
        (good("#777777"), None, "4.48:1"),
        (good("blue"), None, "is not a colour"),
        (vec![("name", "")], None, "1 to 64 characters"),
        (vec![("name", long.as_str())], None, "1 to 64 characters"),
        (
            vec![("name", "Acme"), ("support_url", "http://help.example.com")],
            None,
            "not a support link",
        ),
        (
            vec![("name", "Acme"), ("support_url", "javascript:alert(1)")],
            None,
            "not a support link",
        ),
        (good(""), Some(b"GIF89a\x01\x00".to_vec()), "PNG or an SVG"),
        (
            good(""),
            Some(
                br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#
                    .to_vec(),
            ),
            "a script",
        ),
        (
            good(""),
            Some(vec![b' '; 100 * 1024 + 1]),
            "at most 102400 bytes",
        ),
    ];
    for (fields, logo, why) in cases {
        let (status, _, body) = ada
            .browser
            .post_multipart("/admin/branding", &fields, logo.map(|l| ("logo", l)))
            .await;
        assert_eq!(status, 400, "{fields:?}: {body}");
        assert!(body.contains(why), "{fields:?}: expected {why:?} in {body}");
    }
    assert!(events_of_kind(&app, "setting.changed").await.is_empty());
    assert!(!stylesheet(&app).await.contains("--accent"));
    assert_eq!(get(&app, "/branding/logo").await.0, 404);

    // Not an administrator: refused, nothing changed.
    let mut bob = invited_user(&app, "bob").await;
    bob.browser.page("/account").await;
    let (status, _, _) = bob
        .browser
        .post_multipart("/admin/branding", &good("#1f4fd1"), None)
        .await;
    assert_eq!(status, 403);
    assert!(!stylesheet(&app).await.contains("--accent"));
}

#[tokio::test]
async fn the_configured_branding_applies_until_the_console_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.svg");
    std::fs::write(&logo, SVG).unwrap();
    let app = TestApp::spawn_with(BTreeMap::from([
        (
            "LATCHKEY_INSTANCE_NAME".to_owned(),
            "Configured ID".to_owned(),
        ),
        ("LATCHKEY_BRANDING_COLOUR".to_owned(), "#2d5f2e".to_owned()),
        (
            "LATCHKEY_BRANDING_LOGO_FILE".to_owned(),
            logo.display().to_string(),
        ),
    ]))
    .await;
    assert!(stylesheet(&app).await.contains("--accent: #2d5f2e;"));
    assert_eq!(get(&app, "/branding/logo").await.2, SVG.as_bytes());

    let mut ada = bootstrap_admin(&app).await;
    let (_, html) = ada.browser.page("/admin/branding").await;
    assert!(html.contains("value=\"Configured ID\""), "{html}");
    let (status, _, body) = ada
        .browser
        .post_multipart(
            "/admin/branding",
            &[
                ("name", "Configured ID"),
                ("colour", "#2d5f2e"),
                ("remove_logo", "on"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 303, "{body}");
    // Removed in the console: stays removed although the file names one.
    assert_eq!(get(&app, "/branding/logo").await.0, 404);
}
