//! The console's recovery policies: the policies in force, a tightening in
//! force at once, a relaxation made a request that two other approvers
//! approve in the console before it takes effect, and refusals that change
//! nothing.

use latchkey_core::{AccountTier, Clock as _};
use latchkey_recovery::{ActionKind, Policy, State};
use latchkey_testkit::TestApp;

use crate::approvals::{approver, decide};
use crate::people::{Person, bootstrap_admin, invited_user, step_up};

const PAGE: &str = "/admin/recovery-policies/standard/recover_account";

pub(crate) async fn standard_recovery(app: &TestApp) -> Policy {
    app.state
        .recovery
        .policy_set()
        .await
        .unwrap()
        .policy(AccountTier::Standard, ActionKind::RecoverAccount)
        .clone()
}

/// The form of the standard recovery policy with `delay`.
fn fields(delay: &str) -> Vec<(&'static str, String)> {
    vec![
        ("factors", "1".into()),
        ("kind_recovery_code", "on".into()),
        ("kind_email_link", "on".into()),
        ("delay", delay.into()),
        ("approvals", "0".into()),
        ("approver_role", "approver".into()),
        ("lifetime", "7d".into()),
        ("revokes_other_passkeys", "on".into()),
        ("revokes_sessions", "on".into()),
        ("revokes_refresh_families", "on".into()),
    ]
}

async fn post(
    person: &mut Person,
    fields: &[(&'static str, String)],
) -> (u16, Option<String>, String) {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    person.browser.post_form(PAGE, &borrowed).await
}

#[tokio::test]
async fn a_tightening_is_in_force_at_once_and_a_relaxation_waits_for_two_approvals() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut grace = approver(&app, "grace").await;
    let mut alan = approver(&app, "alan").await;
    let before = standard_recovery(&app).await;
    assert_eq!(before.delay, chrono::Duration::hours(1));
    assert_eq!(before.lifetime, chrono::Duration::days(7), "{before:?}");

    let (status, html) = ada.browser.page("/admin/recovery-policies").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("data-policy=\"standard.recover_account\""),
        "{html}"
    );
    let (status, html) = ada.browser.page(PAGE).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("name=\"delay\" value=\"1h\""), "{html}");

    // Tighter: in force now.
    let (status, location, body) = post(&mut ada, &fields("2h")).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/admin/recovery-policies?done=applied")
    );
    assert_eq!(
        standard_recovery(&app).await.delay,
        chrono::Duration::hours(2)
    );

    // Laxer: a request; nothing changes until two approvers approve and the
    // delay has passed.
    let (status, location, body) = post(&mut ada, &fields("30m")).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/admin/recovery-policies?done=requested")
    );
    assert_eq!(
        standard_recovery(&app).await.delay,
        chrono::Duration::hours(2)
    );
    let open = app.state.recovery.open_for(ada.user_id).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].action.kind(), ActionKind::WeakenPolicy);
    let id = open[0].id;
    let (_, queue) = grace.browser.page("/admin/approvals").await;
    assert!(queue.contains(&id.to_string()), "{queue}");
    // The requester cannot approve their own relaxation.
    let own = decide(&app, &mut ada, id, "approve").await;
    assert_ne!(own.status, 200, "{:?}", own.body);

    step_up(&app, &mut grace).await;
    assert_eq!(decide(&app, &mut grace, id, "approve").await.status, 200);
    step_up(&app, &mut alan).await;
    assert_eq!(decide(&app, &mut alan, id, "approve").await.status, 200);
    assert_eq!(
        standard_recovery(&app).await.delay,
        chrono::Duration::hours(2)
    );

    app.clock.advance(chrono::Duration::hours(24));
    app.state.recovery.tick(app.clock.now()).await.unwrap();
    assert_eq!(
        app.state.recovery.view(id).await.unwrap().state,
        State::Completed
    );
    assert_eq!(
        standard_recovery(&app).await.delay,
        chrono::Duration::minutes(30)
    );
}

#[tokio::test]
async fn bad_changes_are_shown_again_with_the_reason_and_change_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let before = standard_recovery(&app).await;

    let mut no_delay = fields("soon");
    let (status, _, html) = post(&mut ada, &no_delay).await;
    assert_eq!(status, 400);
    assert!(html.contains("The delay must be a duration"), "{html}");
    assert!(
        html.contains("value=\"soon\""),
        "what was typed is shown again"
    );
    no_delay[0].1 = "eleven".into();
    let (status, _, html) = post(&mut ada, &no_delay).await;
    assert_eq!(status, 400);
    assert!(html.contains("Factors must be a whole number"), "{html}");
    // Stricter than the elevated tier's recovery (24 h).
    let (status, location, html) = post(&mut ada, &fields("30d")).await;
    assert_eq!(status, 400, "{location:?}");
    assert!(html.contains("Not saved:"), "{html}");
    // A delay longer than the request lives.
    let mut outlived = fields("3d");
    outlived[6].1 = "1d".into();
    let (status, location, html) = post(&mut ada, &outlived).await;
    assert_eq!(status, 400, "{location:?}");
    assert!(
        html.contains("lifetime must be longer than delay"),
        "{html}"
    );
    // The policy in force.
    let (status, _, html) = post(&mut ada, &fields("1h")).await;
    assert_eq!(status, 400);
    assert!(html.contains("Nothing to save"), "{html}");
    // An unknown tier or action.
    assert_eq!(
        ada.browser
            .page("/admin/recovery-policies/golden/recover_account")
            .await
            .0,
        404
    );
    assert_eq!(
        ada.browser
            .page("/admin/recovery-policies/standard/reset_password")
            .await
            .0,
        404
    );

    // Not an administrator; a forged CSRF token; a stale step-up.
    let mut bob = invited_user(&app, "bob").await;
    let (status, _, _) = post(&mut bob, &fields("2h")).await;
    assert_eq!(status, 403);
    let res = ada
        .browser
        .client
        .post(ada.browser.url(PAGE))
        .form(&[("csrf", "forged"), ("delay", "2h")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    app.clock.advance(chrono::Duration::minutes(6));
    let (status, location, _) = post(&mut ada, &fields("2h")).await;
    assert_eq!(status, 303);
    assert!(location.unwrap_or_default().starts_with("/stepup?next="));

    assert_eq!(standard_recovery(&app).await, before);
    assert!(
        app.state
            .recovery
            .open_for(ada.user_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_relaxation_overtaken_by_another_change_is_shown_stale_to_approvers() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut grace = approver(&app, "grace").await;
    let _alan = approver(&app, "alan").await;

    // Laxer than the 1 h in force: a request.
    let (status, location, body) = post(&mut ada, &fields("30m")).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/admin/recovery-policies?done=requested")
    );
    let open = app.state.recovery.open_for(ada.user_id).await.unwrap();
    let id = open[0].id;
    let page = format!("/admin/approvals/{id}");
    let (_, html) = grace.browser.page(&page).await;
    assert!(!html.contains("id=\"feasibility\""), "{html}");

    // Then tighter (in force at once): the request now changes a policy
    // that is no longer the one it was asked against.
    let (status, location, body) = post(&mut ada, &fields("2h")).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/admin/recovery-policies?done=applied")
    );
    let (_, html) = grace.browser.page(&page).await;
    assert!(html.contains("id=\"feasibility\""), "{html}");
    assert!(
        html.contains("has changed since it was asked for"),
        "{html}"
    );
    let (_, queue) = grace.browser.page("/admin/approvals").await;
    let row = queue
        .split(&format!("data-request=\"{id}\""))
        .nth(1)
        .expect("the request is in the queue");
    assert!(
        row.split("</tr>")
            .next()
            .unwrap()
            .contains("has changed since it was asked for"),
        "{row}"
    );
}
