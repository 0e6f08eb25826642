//! Enrolment: grants, the first passkey, onboarding codes; invitations.

use latchkey_accounts::{AccountsError, CreatedInvitation, Inviter};
use latchkey_testkit::SoftAuthenticator;

use crate::{World, client};

#[tokio::test]
async fn bootstrap_enrolment_creates_an_admin_signed_in_with_codes_shown_once() {
    let w = World::new().await;
    let token = w.bootstrap_token().await;
    w.accounts.check_bootstrap_link(&token).await.unwrap();
    let ada = w.enrol("bootstrap", &token, "ada").await;

    let user = ada.user;
    let roles = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::users::roles(c, user))
        .await
        .unwrap();
    assert_eq!(roles, vec!["admin".to_owned(), "approver".to_owned()]);
    assert_eq!(ada.session.data.flow, "enrolment");
    assert!(
        ada.session
            .data
            .step_up_is_fresh(latchkey_core::Clock::now(&w.env.clock))
    );
    let codes = w
        .accounts
        .take_onboarding_codes(&ada.session)
        .await
        .unwrap();
    assert_eq!(codes.map(|c| c.len()), Some(10));
    assert_eq!(
        w.accounts
            .take_onboarding_codes(&ada.session)
            .await
            .unwrap(),
        None,
        "shown once"
    );
    assert_eq!(w.audit_events("admin.bootstrapped").await.len(), 1);
    assert_eq!(w.audit_events("recovery_codes.generated").await.len(), 1);

    // The link is spent.
    assert!(matches!(
        w.accounts.check_bootstrap_link(&token).await,
        Err(AccountsError::GrantGone(_))
    ));
    let again = w
        .try_enrol(
            "bootstrap",
            &token,
            "eve",
            &mut SoftAuthenticator::new(),
            None,
        )
        .await;
    assert!(
        matches!(again, Err(AccountsError::GrantGone(_))),
        "{again:?}"
    );
}

#[tokio::test]
async fn invitation_enrolment_gives_the_account_the_invited_address() {
    let w = World::new().await;
    let invitation = w
        .accounts
        .invitations()
        .create(
            " Bob@Example.com ",
            false,
            chrono::Duration::days(7),
            Inviter::CommandLine,
        )
        .await
        .unwrap();
    assert_eq!(invitation.email, "bob@example.com");
    assert!(
        invitation
            .link("http://id.example.com/")
            .starts_with("http://id.example.com/invite/lki_")
    );
    let open = w
        .accounts
        .open_invitation(invitation.token.expose())
        .await
        .unwrap();
    assert_eq!(open.email, "bob@example.com");
    let bob = w.enrol("invite", invitation.token.expose(), "bob").await;
    let user = bob.user;
    let account = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::accounts::user(c, user))
        .await
        .unwrap();
    assert_eq!(account.email.as_deref(), Some("bob@example.com"));
    assert_eq!(w.audit_events("invitation.created").await.len(), 1);
    assert_eq!(w.audit_events("invitation.accepted").await.len(), 1);
    // The onboarding codes were announced to the new address.
    assert_eq!(
        w.mail().await,
        vec![(
            "bob@example.com".to_owned(),
            "New recovery codes were made for your account".to_owned()
        )]
    );
}

#[tokio::test]
async fn invitations_refuse_what_is_not_an_address() {
    let w = World::new().await;
    for bad in [
        "ada",
        "ada@localhost",
        "Ada <ada@example.com>",
        "a b@example.com",
    ] {
        let refused = w
            .accounts
            .invitations()
            .create(bad, false, chrono::Duration::days(1), Inviter::CommandLine)
            .await;
        assert!(
            matches!(
                refused,
                Err(AccountsError::InvalidInput {
                    code: "invalid_email",
                    ..
                })
            ),
            "{bad}: {refused:?}"
        );
    }
    assert!(w.audit_events("invitation.created").await.is_empty());
}

#[tokio::test]
async fn self_signup_is_refused_unless_enabled_and_usernames_are_unique() {
    let w = World::new().await;
    let refused = w
        .accounts
        .start_enrolment("signup", "", "carol", "Carol", &client())
        .await;
    assert!(matches!(refused, Err(AccountsError::SelfSignupDisabled)));
    assert!(matches!(
        w.accounts
            .start_enrolment("other", "", "carol", "Carol", &client())
            .await,
        Err(AccountsError::UnknownGrant)
    ));

    let open = World::with_self_signup(true).await;
    open.enrol("signup", "", "carol").await;
    let taken = open
        .accounts
        .start_enrolment("signup", "", "Carol", "Carol", &client())
        .await;
    assert!(
        matches!(taken, Err(AccountsError::UsernameTaken)),
        "{taken:?}"
    );
    let bad = open
        .accounts
        .start_enrolment("signup", "", "x", "X", &client())
        .await;
    assert!(matches!(
        bad,
        Err(AccountsError::InvalidInput {
            code: "invalid_username",
            ..
        })
    ));
}

#[tokio::test]
async fn enrolling_in_a_signed_in_browser_ends_its_session_and_what_it_granted() {
    let w = World::new().await;
    let ada = w.admin().await;
    // An application may hold access tokens issued in Ada's browser session.
    let (sid, now) = (
        ada.session.data.sid.clone(),
        latchkey_core::Clock::now(&w.env.clock),
    );
    let invitation = w
        .accounts
        .invitations()
        .create(
            "bob@example.com",
            false,
            chrono::Duration::days(1),
            Inviter::CommandLine,
        )
        .await
        .unwrap();
    let bob = w
        .try_enrol(
            "invite",
            invitation.token.expose(),
            "bob",
            &mut SoftAuthenticator::new(),
            Some(&ada.session),
        )
        .await
        .unwrap();
    let bob = w.session(bob.token).await.unwrap();
    assert_ne!(bob.data.sid, ada.session.data.sid);
    assert!(
        w.session(ada.session.token.clone()).await.is_none(),
        "the browser's earlier session ended"
    );
    let revoked = w
        .env
        .db
        .db
        .run(move |c| {
            latchkey_store::token_revocations::revokes_any(
                c,
                &[latchkey_store::token_revocations::Revoked::Session(sid)],
                now,
            )
        })
        .await
        .unwrap();
    assert!(revoked, "and with it the access tokens it granted");
}

async fn invite(w: &World, email: &str, admin: bool) -> Result<CreatedInvitation, AccountsError> {
    w.accounts
        .invitations()
        .create(
            email,
            admin,
            chrono::Duration::days(1),
            Inviter::CommandLine,
        )
        .await
}

#[tokio::test]
async fn an_invitation_for_an_existing_address_is_refused_and_recorded_nowhere() {
    let w = World::new().await;
    let _bob = w.invited("bob").await;
    let before = w.audit_events("invitation.created").await.len();
    let refused = invite(&w, "BOB@example.com", false).await;
    assert!(
        matches!(
            refused,
            Err(AccountsError::InvalidInput {
                code: "account_exists",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(w.audit_events("invitation.created").await.len(), before);
}

#[tokio::test]
async fn administrators_are_invited_only_until_the_founding_three_exist() {
    let w = World::new().await;
    let _ada = w.admin().await;
    // Made while the founding administrators are incomplete, accepted after:
    // void by then.
    let late = invite(&w, "late@example.com", true).await.unwrap();
    for name in ["bea", "cyd"] {
        let i = invite(&w, &format!("{name}@example.com"), true)
            .await
            .unwrap();
        w.enrol("invite", i.token.expose(), name).await;
    }
    let refused = invite(&w, "dan@example.com", true).await;
    assert!(
        matches!(
            refused,
            Err(AccountsError::InvalidInput {
                code: "founding_admins_complete",
                ..
            })
        ),
        "{refused:?}"
    );
    let mut auth = SoftAuthenticator::new();
    let accepted = w
        .try_enrol("invite", late.token.expose(), "late", &mut auth, None)
        .await;
    assert!(
        matches!(accepted, Err(AccountsError::GrantGone(_))),
        "{accepted:?}"
    );
    // Ordinary invitations still work, and give no role.
    let eve = w.invited("eve").await.user;
    let roles = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::users::roles(c, eve))
        .await
        .unwrap();
    assert!(roles.is_empty(), "{roles:?}");
}

#[tokio::test]
async fn the_founding_administrators_are_the_founding_approvers() {
    let w = World::new().await;
    let ada = w.admin().await;
    let bea = invite(&w, "bea@example.com", true).await.unwrap();
    let bea = w.enrol("invite", bea.token.expose(), "bea").await;
    for id in [ada.user, bea.user] {
        let roles = w
            .env
            .db
            .db
            .run(move |c| latchkey_store::users::roles(c, id))
            .await
            .unwrap();
        assert_eq!(roles, ["admin", "approver"]);
    }
    let approvers = w
        .env
        .db
        .db
        .run(|c| latchkey_store::users::count_with_role(c, "approver"))
        .await
        .unwrap();
    assert_eq!(approvers, 2);
}
