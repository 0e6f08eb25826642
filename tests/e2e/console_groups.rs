//! Group membership from an account's page, and the account list searched
//! by group: adding is immediate; leaving a group that carries an
//! attestation policy is refused, since it would relax what applies.

use latchkey_accounts::{Policies, PolicyTarget};
use latchkey_core::UserId;
use latchkey_passkey::PolicyRules;
use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{bootstrap_admin, invited_user};

fn policies(app: &TestApp) -> Policies {
    Policies::new(
        app.state.db.clone(),
        app.state.audit.clone(),
        app.state.clock.clone(),
    )
}

async fn group_id(app: &TestApp, name: &str) -> String {
    let name = name.to_owned();
    app.state
        .db
        .run(move |c| latchkey_store::groups::find_by_name(c, &name))
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn groups_of(app: &TestApp, who: UserId) -> Vec<String> {
    app.state
        .db
        .run(move |c| latchkey_store::groups::of_user(c, who))
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect()
}

fn rows(html: &str) -> Vec<String> {
    html.split("<tr data-user=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn members_are_added_removed_and_searched_for_from_the_console() {
    let app = TestApp::spawn().await;
    let p = policies(&app);
    p.create_group("ops", "test").await.unwrap();
    p.create_group("sales", "test").await.unwrap();
    let (ops, sales) = (group_id(&app, "ops").await, group_id(&app, "sales").await);
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let _cyd = invited_user(&app, "cyd").await;
    let path = format!("/admin/users/{}/groups", bob.user_id);

    let (status, location, body) = ada
        .browser
        .post_form(&path, &[("group", &ops), ("change", "add")])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/admin/users/{}?done=group_added", bob.user_id))
    );
    assert_eq!(groups_of(&app, bob.user_id).await, ["ops"]);
    let added = events_of_kind(&app, "group.member_added").await;
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    let (_, html) = ada
        .browser
        .page(&format!("/admin/users/{}", bob.user_id))
        .await;
    assert!(html.contains(&format!("data-group=\"{ops}\"")), "{html}");

    // Search by group: only its members.
    let (status, html) = ada.browser.page(&format!("/admin/users?group={ops}")).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(rows(&html), [bob.user_id.to_string()], "{html}");
    let (_, html) = ada
        .browser
        .page(&format!("/admin/users?group={sales}"))
        .await;
    assert!(rows(&html).is_empty(), "{html}");
    let (status, _) = ada.browser.page("/admin/users?group=not-a-group").await;
    assert_eq!(status, 400);

    // Bad input: an unknown group, a malformed one, an unknown change.
    for (group, change) in [
        (latchkey_core::GroupId::new().to_string(), "add"),
        ("nope".to_owned(), "add"),
        (ops.clone(), "toggle"),
    ] {
        let (status, _, body) = ada
            .browser
            .post_form(&path, &[("group", &group), ("change", change)])
            .await;
        assert_eq!(status, 400, "{group} {change}: {body}");
    }

    // Removing from a group without a policy: at once, audited.
    let (status, _, _) = ada
        .browser
        .post_form(&path, &[("group", &ops), ("change", "remove")])
        .await;
    assert_eq!(status, 303);
    assert!(groups_of(&app, bob.user_id).await.is_empty());
    assert_eq!(events_of_kind(&app, "group.member_removed").await.len(), 1);
}

#[tokio::test]
async fn leaving_a_group_with_an_attestation_policy_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let p = policies(&app);
    p.create_group("ops", "test").await.unwrap();
    let rules = PolicyRules {
        require_attestation: true,
        ..PolicyRules::default()
    };
    p.create("hardware", rules, "test").await.unwrap();
    p.assign("hardware", PolicyTarget::Group("ops".into()), "test")
        .await
        .unwrap();
    let ops = group_id(&app, "ops").await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    p.add_member("ops", "bob", "test").await.unwrap();

    let path = format!("/admin/users/{}/groups", bob.user_id);
    let (status, _, body) = ada
        .browser
        .post_form(&path, &[("group", &ops), ("change", "remove")])
        .await;

    assert_eq!(status, 400, "{body}");
    assert!(body.contains("attestation policy"), "{body}");
    assert_eq!(groups_of(&app, bob.user_id).await, ["ops"]);
    assert!(
        events_of_kind(&app, "group.member_removed")
            .await
            .is_empty()
    );
    // Not an administrator: 403, nothing changes.
    let mut bob = bob;
    bob.browser.page("/account").await;
    let (status, _, _) = bob
        .browser
        .post_form(&path, &[("group", &ops), ("change", "remove")])
        .await;
    assert_eq!(status, 403);
    assert_eq!(groups_of(&app, bob.user_id).await, ["ops"]);
}

#[tokio::test]
async fn an_invitation_from_the_console_gives_its_tier_and_groups_to_the_new_account() {
    let app = TestApp::spawn().await;
    let p = policies(&app);
    p.create_group("ops", "test").await.unwrap();
    p.create_group("sales", "test").await.unwrap();
    let ops = group_id(&app, "ops").await;
    let mut ada = bootstrap_admin(&app).await;
    let (_, html) = ada.browser.page("/admin/users").await;
    assert!(html.contains("id=\"invite-tier\""), "{html}");
    assert!(
        html.contains(&format!("name=\"group\" value=\"{ops}\"")),
        "{html}"
    );

    // Refused, nothing created: a made-up tier, an unknown or malformed group.
    for (field, value) in [
        ("tier", "platinum".to_owned()),
        ("group", latchkey_core::GroupId::new().to_string()),
        ("group", "ops".to_owned()),
    ] {
        let (status, _, body) = ada
            .browser
            .post_form(
                "/admin/users/invite",
                &[("email", "gil@example.com"), (field, &value)],
            )
            .await;
        assert_eq!(status, 400, "{field}={value}: {body}");
        assert!(!body.contains("/invite/lki_"), "{body}");
    }
    assert!(events_of_kind(&app, "invitation.created").await.is_empty());

    let (status, _, body) = ada
        .browser
        .post_form(
            "/admin/users/invite",
            &[
                ("email", "gil@example.com"),
                ("tier", "elevated"),
                ("group", &ops),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("id=\"invited-tier\">elevated<"), "{body}");
    let link = body
        .split("id=\"invitation-link\" class=\"detail\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let token = link.rsplit('/').next().unwrap();
    let gil = crate::people::enrol(
        &app,
        "invite",
        token,
        "gil",
        latchkey_testkit::authenticator::SoftAuthenticator::new(),
    )
    .await;

    let account = app
        .state
        .db
        .run(move |c| latchkey_store::users::find(c, gil.user_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.tier, "elevated");
    assert_eq!(groups_of(&app, gil.user_id).await, ["ops"]);
    let added = events_of_kind(&app, "group.member_added").await;
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    assert!(
        events_of_kind(&app, "invitation.created").await[0]
            .detail
            .contains("\"tier\":\"elevated\"")
    );
}
