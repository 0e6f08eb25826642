//! Attestation policies in the console: administrators only, each policy
//! with today's report (the same numbers as `Policies::report`), and the
//! metadata's status.

use latchkey_accounts::{Policies, PolicyTarget};
use latchkey_core::AccountTier;
use latchkey_passkey::PolicyRules;
use latchkey_testkit::TestApp;

use crate::people::{bootstrap_admin, invited_user};

#[tokio::test]
async fn the_policies_page_shows_each_policy_with_todays_report_and_the_metadata_status() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let (status, _) = bob.browser.page("/admin/policies").await;
    assert_eq!(status, 403);

    let (status, html) = ada.browser.page("/admin/policies").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"policies-empty\""), "{html}");
    assert!(
        html.contains("id=\"metadata-warning\""),
        "no metadata: {html}"
    );

    let policies = Policies::new(
        app.state.db.clone(),
        app.state.audit.clone(),
        app.state.clock.clone(),
    );
    let hardware = PolicyRules {
        require_attestation: true,
        device_bound: true,
        ..PolicyRules::default()
    };
    policies.create("hardware", hardware, "test").await.unwrap();
    policies
        .assign(
            "hardware",
            PolicyTarget::Tier(AccountTier::Standard),
            "test",
        )
        .await
        .unwrap();
    let report = policies.report("hardware").await.unwrap();
    assert!(
        report.users >= 1 && report.users_locked_out >= 1,
        "{report:?}"
    );

    let (_, html) = ada.browser.page("/admin/policies").await;
    let row = html
        .split("<a href=\"/admin/policies/hardware\">")
        .nth(1)
        .expect("the policy is listed")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        row.contains("verified attestation, device-bound only"),
        "{row}"
    );
    assert!(
        row.contains(&format!(
            "data-label=\"Without a complying passkey\">{}<",
            report.users_locked_out
        )),
        "{row}"
    );
    assert!(
        row.contains(&format!(
            "data-label=\"Passkeys refused\">{}<",
            report.failing_credentials
        )),
        "{row}"
    );

    let (status, html) = ada.browser.page("/admin/policies/hardware").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(&format!("href=\"/admin/users/{}\"", bob.user_id)),
        "bob's unattested passkey does not comply: {html}"
    );
    let (status, _) = ada.browser.page("/admin/policies/nothing-here").await;
    assert_eq!(status, 404);
}
