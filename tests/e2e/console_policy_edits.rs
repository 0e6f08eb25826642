//! Changing attestation policies in the console: create and edit through a
//! dry run, tightening saved at once, weakening (an edit or an unassign)
//! turned into a request the approvers see rule by rule, and the report as
//! CSV.

use latchkey_accounts::Policies;
use latchkey_core::{Clock as _, Role};
use latchkey_testkit::TestApp;

use crate::people::{Person, bootstrap_admin, invited_user};

fn policies(app: &TestApp) -> Policies {
    Policies::new(
        app.state.db.clone(),
        app.state.audit.clone(),
        app.state.clock.clone(),
    )
}

async fn approver(app: &TestApp, name: &str) -> Person {
    let person = invited_user(app, name).await;
    let (user, now) = (person.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| {
            latchkey_store::users::grant_role(c, user, Role::Approver.as_str(), None, now)
        })
        .await
        .unwrap();
    person
}

async fn rules(app: &TestApp, name: &str) -> Option<latchkey_passkey::PolicyRules> {
    policies(app)
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.rules)
}

#[tokio::test]
async fn a_policy_is_created_and_tightened_after_a_dry_run_and_a_weakening_becomes_a_request() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let mut carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;

    // Create: the dry run lists bob (the testkit passkey is unattested),
    // and nothing is saved before the confirm.
    ada.browser.page("/admin/policies").await;
    let fields = [
        ("new", "1"),
        ("name", "keys"),
        ("require_attestation", "on"),
        ("models", ""),
        ("min_certification", ""),
    ];
    let (status, _, html) = ada
        .browser
        .post_form("/admin/policies/preview", &fields)
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"confirm\""), "{html}");
    assert!(
        html.contains(&format!("/admin/users/{}", bob.user_id)),
        "{html}"
    );
    assert!(!html.contains("id=\"needs-approval\""), "{html}");
    assert_eq!(rules(&app, "keys").await, None);
    let (status, location, _) = ada.browser.post_form("/admin/policies/save", &fields).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/admin/policies/keys?done=saved"));
    assert!(rules(&app, "keys").await.unwrap().require_attestation);
    let saved = crate::console_audit::events_of_kind(&app, "attestation_policy.saved").await;
    assert_eq!(saved.len(), 1);
    assert_eq!(
        saved[0].actor.as_deref(),
        Some(ada.user_id.to_string().as_str())
    );
    assert!(saved[0].ip.is_some(), "{:?}", saved[0]);
    assert!(
        saved[0].detail.contains("\"passkey\""),
        "{}",
        saved[0].detail
    );
    // The new-policy form does not edit a policy of a taken name.
    let (status, _, html) = ada.browser.post_form("/admin/policies/save", &fields).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("exists already"), "{html}");

    // Tighten: shown as tightened, saved at once.
    ada.browser.page("/admin/policies/keys").await;
    let tighter = [
        ("name", "keys"),
        ("require_attestation", "on"),
        ("device_bound", "on"),
        ("models", ""),
        ("min_certification", ""),
    ];
    let (_, _, html) = ada
        .browser
        .post_form("/admin/policies/preview", &tighter)
        .await;
    assert!(html.contains("(tightened)"), "{html}");
    let (status, _, _) = ada
        .browser
        .post_form("/admin/policies/save", &tighter)
        .await;
    assert_eq!(status, 303);
    assert!(rules(&app, "keys").await.unwrap().device_bound);

    // Weaken (with a tightening beside it): needs approval; saving opens a
    // request and leaves the rules as they are.
    let weaker = [
        ("name", "keys"),
        ("device_bound", "on"),
        ("refuse_compromised", "on"),
        ("models", ""),
        ("min_certification", ""),
    ];
    let (_, _, html) = ada
        .browser
        .post_form("/admin/policies/preview", &weaker)
        .await;
    assert!(html.contains("id=\"needs-approval\""), "{html}");
    assert!(html.contains("(relaxed)"), "{html}");
    let (status, location, html) = ada.browser.post_form("/admin/policies/save", &weaker).await;
    assert_eq!(status, 303, "{html}");
    let location = location.unwrap();
    assert!(location.starts_with("/admin/approvals/"), "{location}");
    let saved = rules(&app, "keys").await.unwrap();
    assert!(saved.require_attestation && !saved.refuse_compromised);

    // The approvers see the change rule by rule.
    let (status, html) = carol.browser.page(&location).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Verified attestation"), "{html}");
    assert!(
        html.contains("attestation required → attestation not required (relaxed)"),
        "{html}"
    );

    // Assigning is saved at once; unassigning needs approval.
    ada.browser.page("/admin/policies/keys").await;
    let assign = [("op", "assign"), ("kind", "tier"), ("target", "standard")];
    let (status, location, _) = ada
        .browser
        .post_form("/admin/policies/keys/targets", &assign)
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some("/admin/policies/keys?done=targets")
    );
    let unassign = [("op", "unassign"), ("kind", "tier"), ("target", "standard")];
    let (status, location, _) = ada
        .browser
        .post_form("/admin/policies/keys/targets", &unassign)
        .await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/admin/approvals/"));
    let still = app
        .state
        .db
        .run(|c| latchkey_store::attestation_policies::for_tier(c, "standard"))
        .await
        .unwrap();
    assert!(still.is_some());
}

#[tokio::test]
async fn bad_policy_forms_are_refused_and_change_nothing_and_the_report_downloads_as_csv() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let _bob = invited_user(&app, "bob").await;

    ada.browser.page("/admin/policies").await;
    for (fields, says) in [
        (
            vec![
                ("new", "1"),
                ("name", "bad name!"),
                ("models", ""),
                ("min_certification", ""),
            ],
            "policy name",
        ),
        (
            vec![
                ("new", "1"),
                ("name", "x"),
                ("models", ""),
                ("min_certification", "L9"),
            ],
            "Minimum certification",
        ),
        (
            vec![
                ("new", "1"),
                ("name", "x"),
                ("models", "Some Unknown Key"),
                ("min_certification", ""),
            ],
            "Allowed models",
        ),
        (
            vec![("name", "gone"), ("models", ""), ("min_certification", "")],
            "no attestation policy of that name",
        ),
    ] {
        for action in ["/admin/policies/preview", "/admin/policies/save"] {
            let (status, _, html) = ada.browser.post_form(action, &fields).await;
            assert_eq!(status, 400, "{action} {fields:?}: {html}");
            assert!(html.contains(says), "{html}");
            assert!(html.contains("Nothing was changed."), "{html}");
        }
    }
    assert!(policies(&app).list().await.unwrap().is_empty());

    // Without the session's CSRF token and Origin: refused.
    let status = app
        .client
        .post(app.url("/admin/policies/save"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
    assert!(policies(&app).list().await.unwrap().is_empty());

    policies(&app)
        .create(
            "bound",
            latchkey_passkey::PolicyRules {
                require_attestation: true,
                ..Default::default()
            },
            "test",
        )
        .await
        .unwrap();
    let res = ada
        .browser
        .client
        .get(app.url("/admin/policies/bound/report.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("policy,account_id,username,"), "{csv}");
    assert!(csv.contains(",bob,0,true,"), "{csv}");
    let (status, _) = ada.browser.page("/admin/policies/nope/report.csv").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_synced_passkey_is_refused_at_the_console_with_what_is_needed_and_audited() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let _carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;
    let token = crate::people::invitation(&app, "sam@example.com").await;
    let mut sam = crate::people::enrol(
        &app,
        "invite",
        &token,
        "sam",
        latchkey_testkit::authenticator::SoftAuthenticator::synced(),
    )
    .await;
    let (user, now) = (sam.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, user, Role::Admin.as_str(), None, now))
        .await
        .unwrap();

    // The enrolment session stands on the synced passkey: refused by the
    // console's default policy, with what would do.
    let (status, html) = sam.browser.page("/admin/policies").await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("console default"), "{html}");
    assert!(html.contains("device-bound passkey"), "{html}");
    assert!(!html.contains("id=\"create\""), "{html}");
    let refused = crate::console_audit::events_of_kind(&app, "console.refused").await;
    assert!(
        refused
            .iter()
            .any(|e| e.actor.as_deref() == Some(user.to_string().as_str())
                && e.detail.contains("console_policy")),
        "{refused:?}"
    );
    // Ada's device-bound passkey meets it.
    let (status, _) = ada.browser.page("/admin/policies").await;
    assert_eq!(status, 200);

    // Replacing the default by a laxer policy is a weakening: a request.
    policies(&app)
        .create("lenient", latchkey_passkey::PolicyRules::default(), "test")
        .await
        .unwrap();
    ada.browser.page("/admin/policies/lenient").await;
    let assign = [("op", "assign"), ("kind", "console"), ("target", "")];
    let (status, location, html) = ada
        .browser
        .post_form("/admin/policies/lenient/targets", &assign)
        .await;
    assert_eq!(status, 303, "{html}");
    assert!(location.unwrap().starts_with("/admin/approvals/"));
    let (status, _) = sam.browser.page("/admin/policies").await;
    assert_eq!(status, 403);

    // A policy ada's own (unattested) passkey fails is not given to the
    // console: it would lock her out.
    policies(&app)
        .create(
            "attested",
            latchkey_passkey::PolicyRules {
                require_attestation: true,
                device_bound: true,
                ..Default::default()
            },
            "test",
        )
        .await
        .unwrap();
    ada.browser.page("/admin/policies/attested").await;
    let (status, _, html) = ada
        .browser
        .post_form("/admin/policies/attested/targets", &assign)
        .await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("lock you out"), "{html}");
    let console = app
        .state
        .db
        .run(|c| {
            latchkey_store::attestation_policies::for_target(
                c,
                latchkey_store::attestation_policies::TargetKind::Console,
                "console",
            )
        })
        .await
        .unwrap();
    assert_eq!(console, None);
    let (status, _) = ada.browser.page("/admin/policies").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_applications_policy_is_chosen_on_its_form_and_removing_it_needs_approval() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let _carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;
    policies(&app)
        .create(
            "keys",
            latchkey_passkey::PolicyRules {
                device_bound: true,
                ..Default::default()
            },
            "test",
        )
        .await
        .unwrap();
    let wiki = |policy: &'static str| {
        vec![
            ("name", "Wiki"),
            ("redirect_uris", "https://wiki.example.com/cb"),
            ("post_logout_redirect_uris", ""),
            ("min_acr", ""),
            ("scopes", "openid"),
            ("resources", ""),
            ("id_token_alg", "ES256"),
            ("policy", policy),
        ]
    };
    let (_, html) = ada.browser.page("/admin/clients").await;
    assert!(html.contains("<option value=\"keys\""), "{html}");
    let (status, _, html) = ada.browser.post_form("/admin/clients", &wiki("nope")).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("no policy of that name"), "{html}");
    let (status, _, html) = ada.browser.post_form("/admin/clients", &wiki("keys")).await;
    assert_eq!(status, 200, "{html}");
    let id = html
        .split("id=\"client-id\"")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    let db = app.state.db.clone();
    let policy_of = |id: String| {
        let db = db.clone();
        async move {
            let cid = latchkey_core::ClientId::parse(&id).unwrap();
            db.run(move |c| latchkey_store::attestation_policies::for_client(c, &cid))
                .await
                .unwrap()
                .map(|p| p.name)
        }
    };
    assert_eq!(policy_of(id.clone()).await.as_deref(), Some("keys"));

    let page = format!("/admin/clients/{id}");
    let (_, html) = ada.browser.page(&page).await;
    assert!(html.contains("<option value=\"keys\" selected>"), "{html}");
    let (status, location, _) = ada.browser.post_form(&page, &wiki("")).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/admin/approvals/"));
    assert_eq!(policy_of(id).await.as_deref(), Some("keys"));
}
