//! An application's logo and links, set by an administrator: the logo is
//! fetched once from `logo_uri` and served from this origin; bad links and
//! bad logos are refused with the reason and change nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use latchkey_testkit::TestApp;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::console_audit::events_of_kind;
use crate::oidc::{ClientOptions, register_client};
use crate::people::bootstrap_admin;

const SVG: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#2d5f2e"/></svg>"##;

/// A web server on loopback answering every request with `status` and
/// `body`; counts the requests.
async fn logo_server(status: u16, body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    (url, hits)
}

#[tokio::test]
async fn a_logo_is_fetched_once_stored_and_served_from_our_origin() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (client, _) = register_client(&app, &ClientOptions::default()).await;
    let (server, hits) = logo_server(200, SVG.to_vec()).await;
    let logo_uri = format!("{server}/logo.svg");
    assert_eq!(
        app.get(&format!("/clients/{client}/logo")).await.status(),
        404
    );

    let path = format!("/admin/clients/{client}/presentation");
    let fields = [
        ("logo_uri", logo_uri.as_str()),
        ("client_uri", "https://payroll.example.com/"),
        ("policy_uri", "https://payroll.example.com/privacy"),
        ("tos_uri", ""),
    ];
    let (status, location, body) = ada.browser.post_form(&path, &fields).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/admin/clients/{client}?done=presented"))
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let res = app.get(&format!("/clients/{client}/logo")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(&res.bytes().await.unwrap()[..], SVG);

    // The console shows what is stored; saving the same address again does
    // not fetch it again and records nothing.
    let (_, html) = ada.browser.page(&format!("/admin/clients/{client}")).await;
    assert!(
        html.contains("https://payroll.example.com/privacy"),
        "{html}"
    );
    assert!(html.contains(&format!("/clients/{client}/logo")), "{html}");
    ada.browser.post_form(&path, &fields).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let updates = events_of_kind(&app, "client.updated").await;
    assert_eq!(updates.len(), 1);
    assert!(
        updates[0].detail.contains("logo_bytes"),
        "{}",
        updates[0].detail
    );
    assert!(!updates[0].detail.contains("<svg"), "{}", updates[0].detail);

    // Clearing the address removes the logo.
    let (status, _, _) = ada
        .browser
        .post_form(
            &path,
            &[
                ("logo_uri", ""),
                ("client_uri", "https://payroll.example.com/"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        app.get(&format!("/clients/{client}/logo")).await.status(),
        404
    );
}

#[tokio::test]
async fn bad_links_and_logos_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (client, _) = register_client(&app, &ClientOptions::default()).await;
    let path = format!("/admin/clients/{client}/presentation");
    let (gif, _) = logo_server(200, b"GIF89a....".to_vec()).await;
    let (script, _) = logo_server(
        200,
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
    )
    .await;
    let (missing, _) = logo_server(404, Vec::new()).await;
    let (huge, _) = logo_server(200, vec![b' '; 200 * 1024]).await;
    let cases = [
        (
            ("client_uri", "http://payroll.example.com/".to_owned()),
            "client_uri",
        ),
        (
            ("policy_uri", "javascript:alert(1)".to_owned()),
            "policy_uri",
        ),
        (("logo_uri", format!("{gif}/logo.gif")), "PNG or an SVG"),
        (("logo_uri", format!("{script}/logo.svg")), "a script"),
        (("logo_uri", format!("{missing}/logo.svg")), "answered 404"),
        (("logo_uri", format!("{huge}/logo.svg")), "102400 bytes"),
        (
            ("logo_uri", "http://127.0.0.1:1/logo.svg".to_owned()),
            "could not be fetched",
        ),
    ];
    for ((field, value), why) in &cases {
        let (status, _, body) = ada.browser.post_form(&path, &[(field, value)]).await;
        assert_eq!(status, 400, "{field}={value}: {body}");
        assert!(
            body.contains(why),
            "{field}={value}: expected {why:?} in {body}"
        );
        assert!(body.contains("Nothing was changed"), "{body}");
    }
    assert!(events_of_kind(&app, "client.updated").await.is_empty());
    assert_eq!(
        app.get(&format!("/clients/{client}/logo")).await.status(),
        404
    );
    // No such application.
    let (status, _, _) = ada
        .browser
        .post_form(
            "/admin/clients/nosuchclient/presentation",
            &[("tos_uri", "")],
        )
        .await;
    assert_eq!(status, 404);
}
