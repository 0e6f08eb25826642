//! Request ids: every response carries one (a sane incoming `X-Request-Id`
//! kept, anything else replaced), and the audit events of console changes
//! record it, so the audit log finds them by it.

use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{Person, bootstrap_admin, invited_user};

async fn id_for(app: &TestApp, sent: Option<&str>) -> String {
    let mut req = app.client.get(app.url("/health"));
    if let Some(sent) = sent {
        req = req.header("x-request-id", sent);
    }
    let res = req.send().await.unwrap();
    res.headers()["x-request-id"].to_str().unwrap().to_owned()
}

/// POSTs a console form with a chosen request id.
async fn post_with_id(person: &mut Person, path: &str, fields: &[(&str, &str)], id: &str) -> u16 {
    let csrf = person.browser.csrf().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    person
        .browser
        .client
        .post(person.browser.url(path))
        .header("x-request-id", id)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_sane_incoming_request_id_is_echoed_and_anything_else_replaced() {
    let app = TestApp::spawn().await;
    assert_eq!(id_for(&app, Some("lb-7f3a9c01")).await, "lb-7f3a9c01");
    let generated = id_for(&app, None).await;
    assert_eq!(generated.len(), 32, "{generated}");
    assert!(generated.bytes().all(|b| b.is_ascii_hexdigit()));
    for bad in ["x", "has space in it", &"a".repeat(65), "quote\"quote"] {
        let got = id_for(&app, Some(bad)).await;
        assert_ne!(got, bad);
        assert_eq!(got.len(), 32, "{bad:?} → {got}");
    }
}

#[tokio::test]
async fn console_changes_record_their_request_id_and_the_audit_log_finds_them_by_it() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let _carol = crate::approvals::approver(&app, "carol").await;
    ada.browser.page("/admin/users").await;

    let status = post_with_id(
        &mut ada,
        &format!("/admin/users/{}/roles", bob.user_id),
        &[("role", "approver")],
        "console-req-0001",
    )
    .await;
    assert_eq!(status, 303);
    let status = post_with_id(
        &mut ada,
        &format!("/admin/users/{}/disable", bob.user_id),
        &[],
        "console-req-0002",
    )
    .await;
    assert_eq!(status, 303);

    let requested = events_of_kind(&app, "guarded_action.requested").await;
    assert!(
        requested[0]
            .detail
            .contains("\"request_id\":\"console-req-0001\""),
        "{}",
        requested[0].detail
    );
    let disabled = events_of_kind(&app, "user.disabled").await;
    assert!(
        disabled[0]
            .detail
            .contains("\"request_id\":\"console-req-0002\""),
        "{}",
        disabled[0].detail
    );

    let (status, html) = ada
        .browser
        .page("/admin/audit?request=console-req-0002")
        .await;
    assert_eq!(status, 200, "{html}");
    let shown: Vec<&str> = html.split("<tr data-seq=").skip(1).collect();
    assert_eq!(shown.len(), 1, "{html}");
    assert!(shown[0].contains("user.disabled"), "{}", shown[0]);
    let (_, html) = ada
        .browser
        .page("/admin/audit?request=console-req-0001")
        .await;
    let shown: Vec<&str> = html.split("<tr data-seq=").skip(1).collect();
    assert!(!shown.is_empty(), "{html}");
    assert!(shown.iter().all(|r| !r.contains("user.disabled")), "{html}");
    assert!(shown.iter().any(|r| r.contains("guarded_action.requested")));

    // An invitation from the console: the request id, the address and the
    // administrator's step-up passkey.
    let status = post_with_id(
        &mut ada,
        "/admin/users/invite",
        &[("email", "dora@example.com"), ("expires", "3d")],
        "console-req-0003",
    )
    .await;
    assert_eq!(status, 200);
    let invited = events_of_kind(&app, "invitation.created").await;
    let from_console = invited
        .iter()
        .find(|e| e.detail.contains("console-req-0003"))
        .expect("the invitation carries the request id");
    assert_eq!(
        from_console.actor.as_deref(),
        Some(&*ada.user_id.to_string())
    );
    assert!(from_console.ip.is_some(), "{from_console:?}");
    assert!(
        from_console.detail.contains("\"passkey\":\""),
        "{}",
        from_console.detail
    );
}
