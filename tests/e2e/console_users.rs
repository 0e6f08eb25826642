//! The console's accounts: administrators only, search by name and
//! address, and an account's page read from what is stored — with no way to
//! add or reset a credential.

use latchkey_testkit::TestApp;
use openidconnect::OAuth2TokenResponse as _;

use crate::console_audit::events_of_kind;
use crate::oidc::{Rp, authorize, token_error};
use crate::people::{bootstrap_admin, invited_user, sign_in_finish, sign_in_options};

fn rows(html: &str) -> Vec<String> {
    html.split("<tr data-user=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_administrators_see_accounts() {
    let app = TestApp::spawn().await;
    let mut eve = invited_user(&app, "eve").await;
    let (status, html) = eve.browser.page("/admin/users").await;
    assert_eq!(status, 403);
    assert!(!html.contains("id=\"users\""), "{html}");
    let (status, _) = eve
        .browser
        .page(&format!("/admin/users/{}", eve.user_id))
        .await;
    assert_eq!(status, 403);

    let mut carol = invited_user(&app, "carol").await;
    let (id, now) = (carol.user_id, latchkey_core::Clock::now(&app.clock));
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, id, "approver", None, now))
        .await
        .unwrap();
    let (status, html) = carol.browser.page("/admin/users").await;
    assert_eq!(status, 403);
    assert!(html.contains("Accounts are for administrators."), "{html}");
}

#[tokio::test]
async fn search_finds_accounts_by_name_and_address_and_nothing_else() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let bea = invited_user(&app, "bea").await;
    let cyd = invited_user(&app, "cyd").await;

    let (status, html) = ada.browser.page("/admin/users").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(rows(&html).len(), 4, "{html}");

    let (_, html) = ada.browser.page("/admin/users?q=B").await;
    let found = rows(&html);
    assert_eq!(found.len(), 2, "{html}");
    assert!(found.contains(&bob.user_id.to_string()));
    assert!(found.contains(&bea.user_id.to_string()));

    // The address (invited users are name@example.com) and the display name.
    let (_, html) = ada.browser.page("/admin/users?q=cyd%40example").await;
    assert_eq!(rows(&html), [cyd.user_id.to_string()], "{html}");
    let (_, html) = ada.browser.page("/admin/users?q=Cyd%20Exa").await;
    assert_eq!(rows(&html), [cyd.user_id.to_string()], "{html}");

    // LIKE's wildcards match only themselves.
    for q in ["%25", "_", "%5C"] {
        let (status, html) = ada.browser.page(&format!("/admin/users?q={q}")).await;
        assert_eq!(status, 200);
        assert!(rows(&html).is_empty(), "{q}: {html}");
        assert!(html.contains("id=\"users-empty\""), "{q}: {html}");
    }
    // Too long: refused, nothing listed, nothing echoed.
    let long = "x".repeat(101);
    let (status, html) = ada.browser.page(&format!("/admin/users?q={long}")).await;
    assert_eq!(status, 400);
    assert!(!html.contains(&long), "{html}");
}

#[tokio::test]
async fn an_accounts_page_shows_what_is_stored_and_offers_no_credential_change() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let (status, html) = ada
        .browser
        .page(&format!("/admin/users/{}", bob.user_id))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<h1>bob"), "{html}");
    assert!(html.contains("bob@example.com"), "{html}");
    let passkeys = html
        .split("id=\"passkeys\"")
        .nth(1)
        .expect("a passkeys table");
    let passkeys = passkeys
        .split("</table>")
        .next()
        .unwrap()
        .split("<tbody>")
        .nth(1)
        .unwrap();
    assert_eq!(passkeys.matches("<tr>").count(), 1, "{passkeys}");
    assert!(passkeys.contains("synced") || passkeys.contains("device-bound"));
    assert!(html.contains("id=\"requests-empty\""), "{html}");
    // The enrolment is among the latest events, with a link to all of them.
    assert!(html.contains("invitation.accepted"), "{html}");
    assert!(
        html.contains(&format!("href=\"/admin/audit?subject={}\"", bob.user_id)),
        "{html}"
    );
    // No credential change: the forms on the page disable the account, end
    // one of its sessions, or ask for a role or a tier (guarded requests),
    // nothing else.
    let main = html.split("<main").nth(1).unwrap();
    let bob_page = format!("/admin/users/{}", bob.user_id);
    let (ends, actions): (Vec<&str>, Vec<&str>) = main
        .split("action=\"")
        .skip(1)
        .map(|a| a.split('"').next().unwrap())
        .partition(|a| a.starts_with(&format!("{bob_page}/sessions/")) && a.ends_with("/end"));
    assert_eq!(ends.len(), 1, "one session, one End button: {ends:?}");
    assert_eq!(
        actions,
        [
            format!("{bob_page}/roles"),
            format!("{bob_page}/roles"),
            format!("{bob_page}/tier"),
            format!("{bob_page}/disable"),
        ],
        "{main}"
    );
    assert_eq!(main.matches("method=\"post\"").count(), 5, "{main}");
    assert_eq!(main.matches("<button").count(), 5, "{main}");

    // The administrators' own roles.
    let (_, html) = ada
        .browser
        .page(&format!("/admin/users/{}", ada.user_id))
        .await;
    assert!(html.contains("admin, approver"), "{html}");
    // No way to disable oneself from one's own page.
    assert!(!html.contains("id=\"disable\""), "{html}");

    // Unknown and malformed ids.
    let (status, _) = ada
        .browser
        .page(&format!("/admin/users/{}", latchkey_core::UserId::new()))
        .await;
    assert_eq!(status, 404);
    let (status, _) = ada.browser.page("/admin/users/not-an-id").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_at_once() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut bob.browser, &mut bob.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(bob.browser.page("/account").await.0, 200);

    // Not an administrator, no form token, oneself: refused, nothing changes.
    let mut eve = invited_user(&app, "eve").await;
    let path = format!("/admin/users/{}/disable", bob.user_id);
    eve.browser.page("/account").await;
    assert_eq!(eve.browser.post_form(&path, &[]).await.0, 403);
    ada.browser.page("/admin/users").await;
    let forged = ada
        .browser
        .client
        .post(ada.browser.url(&path))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let own = format!("/admin/users/{}/disable", ada.user_id);
    let (status, _, body) = ada.browser.post_form(&own, &[]).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("ask another administrator"), "{body}");
    assert_eq!(bob.browser.page("/account").await.0, 200);

    // An administrator whose confirmation is stale: step-up first.
    app.clock.advance(chrono::Duration::minutes(6));
    let (status, location, _) = ada.browser.post_form(&path, &[]).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/stepup?next="));
    assert_eq!(bob.browser.page("/account").await.0, 200);
    let options = ada
        .browser
        .post_json("/stepup/options", &serde_json::json!({}))
        .await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let done = ada
        .browser
        .post_json(
            "/stepup/finish",
            &serde_json::json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);

    let (status, location, _) = ada.browser.post_form(&path, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/admin/users/{}?done=disabled", bob.user_id))
    );
    let (_, html) = ada
        .browser
        .page(&format!("/admin/users/{}?done=disabled", bob.user_id))
        .await;
    assert!(html.contains("id=\"flash\""), "{html}");
    assert!(!html.contains("id=\"disable\""), "{html}");

    // Bob's browser session is over, and so are the application's tokens.
    let res = bob
        .browser
        .client
        .get(bob.browser.url("/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let userinfo = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
    // Every access token issued to Bob so far is revoked as his, not only
    // through his ended sessions (a token issued after an enabling is not).
    let (bob_id, now) = (bob.user_id, latchkey_core::Clock::now(&app.clock));
    let revoked = |at: chrono::DateTime<chrono::Utc>| {
        app.state.db.run(move |c| {
            latchkey_store::token_revocations::revokes_any(
                c,
                &[latchkey_store::token_revocations::Revoked::User(bob_id)],
                at,
            )
        })
    };
    assert!(revoked(now).await.unwrap());
    assert!(!revoked(now + chrono::Duration::seconds(1)).await.unwrap());
    let refresh = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refresh), "invalid_grant");
    // Every family of bob's is revoked: touching the live ones touches none.
    let live = app.db.execute(&format!(
        "UPDATE refresh_token_families SET revoked_at = revoked_at \
         WHERE user_id = '{}' AND revoked_at IS NULL",
        bob.user_id
    ));
    assert_eq!(live, 0);

    // Bob's passkey no longer signs in.
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = bob.auth.authenticate(&options.body, &app.address);
    let refused = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_ne!(refused.status, 200, "{:?}", refused.body);

    // Recorded once, with who and with which passkey; disabling again is a
    // no-op.
    let events = events_of_kind(&app, "user.disabled").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
    assert_eq!(
        events[0].subject.as_deref(),
        Some(&*bob.user_id.to_string())
    );
    assert!(
        events[0].detail.contains("\"refresh_families\":1"),
        "{}",
        events[0].detail
    );
    assert_eq!(ada.browser.post_form(&path, &[]).await.0, 303);
}

#[tokio::test]
async fn an_administrator_invites_from_the_console_through_the_same_operation() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    invited_user(&app, "bob").await;
    let (status, html) = ada.browser.page("/admin/users").await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/admin/users/invite\""), "{html}");

    // Refused: not an address, an address that has an account, a made-up
    // lifetime, a forged form token, someone who is not an administrator.
    for (email, expires, says) in [
        ("not an address", "7d", "That is not an e-mail address."),
        (
            "bob@example.com",
            "7d",
            "An account with this address exists.",
        ),
        (
            "fay@example.com",
            "99d",
            "An invitation is valid for 1, 3 or 7 days.",
        ),
    ] {
        let (status, _, body) = ada
            .browser
            .post_form(
                "/admin/users/invite",
                &[("email", email), ("expires", expires)],
            )
            .await;
        assert_eq!(status, 400, "{email}: {body}");
        assert!(body.contains(says), "{email}: {body}");
        assert!(!body.contains("/invite/lki_"), "{body}");
    }
    let forged = ada
        .browser
        .client
        .post(ada.browser.url("/admin/users/invite"))
        .form(&[("csrf", "forged"), ("email", "fay@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let mut eve = invited_user(&app, "eve").await;
    eve.browser.page("/account").await;
    let (status, _, _) = eve
        .browser
        .post_form("/admin/users/invite", &[("email", "fay@example.com")])
        .await;
    assert_eq!(status, 403);
    let created = events_of_kind(&app, "invitation.created").await;
    assert!(created.is_empty(), "{created:?}");

    // Made: the link is shown once, not cached, and enrols the invitee.
    let res = ada
        .browser
        .client
        .post(ada.browser.url("/admin/users/invite"))
        .form(&[
            ("csrf", &*ada.browser.csrf().await),
            ("email", "Fay@Example.com"),
            ("expires", "3d"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("Invitation for fay@example.com"), "{html}");
    let link = html
        .split("id=\"invitation-link\" class=\"detail\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        link.starts_with(&format!("{}/invite/lki_", app.address)),
        "{link}"
    );
    let token = link.rsplit('/').next().unwrap();
    let fay = crate::people::enrol(
        &app,
        "invite",
        token,
        "fay",
        latchkey_testkit::authenticator::SoftAuthenticator::new(),
    )
    .await;
    let account = app
        .state
        .db
        .run(move |c| latchkey_store::users::find(c, fay.user_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.email.as_deref(), Some("fay@example.com"));
    let events = events_of_kind(&app, "invitation.created").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(&*ada.user_id.to_string()));
}
