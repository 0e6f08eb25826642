//! Settings changed at run time from the console: self sign-up opens and
//! closes without a restart, each change audited with old and new value;
//! bad values and non-administrators change nothing.

use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{bootstrap_admin, invited_user};

async fn signup_status(app: &TestApp) -> u16 {
    app.client
        .get(app.url("/signup"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn self_signup_opens_and_closes_from_the_console_without_a_restart() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    assert_eq!(signup_status(&app).await, 404);
    let (status, html) = ada.browser.page("/admin/settings").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("value=\"closed\" checked"), "{html}");

    let (status, location, body) = ada
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "open")])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/admin/settings?done=saved"));
    assert_eq!(signup_status(&app).await, 200);
    let changed = events_of_kind(&app, "setting.changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    assert!(
        changed[0].detail.contains("\"new\":true") && changed[0].detail.contains("\"old\":false"),
        "{}",
        changed[0].detail
    );
    // The same value again: nothing to record.
    ada.browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "open")])
        .await;
    assert_eq!(events_of_kind(&app, "setting.changed").await.len(), 1);

    // Bad values and non-administrators: refused, nothing changes.
    for bad in ["", "yes", "OPEN"] {
        let (status, _, body) = ada
            .browser
            .post_form("/admin/settings/self-signup", &[("self_signup", bad)])
            .await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert!(body.contains("either open or closed"), "{body}");
    }
    let mut bob = invited_user(&app, "bob").await;
    bob.browser.page("/account").await;
    let (status, _, _) = bob
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "closed")])
        .await;
    assert_eq!(status, 403);
    assert_eq!(signup_status(&app).await, 200);

    let (status, _, _) = ada
        .browser
        .post_form("/admin/settings/self-signup", &[("self_signup", "closed")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(signup_status(&app).await, 404);
    assert_eq!(events_of_kind(&app, "setting.changed").await.len(), 2);
}
