//! The console's accounts: administrators only, search by name and
//! address, and an account's page read from what is stored — with no way to
//! add or reset a credential.

use latchkey_testkit::TestApp;

use crate::people::{bootstrap_admin, invited_user};

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
    // Read only: no form on the page changes anything of the account.
    let main = html.split("<main").nth(1).unwrap();
    assert!(!main.contains("method=\"post\""), "{main}");
    assert!(!main.contains("<button"), "{main}");

    // The administrators' own roles.
    let (_, html) = ada
        .browser
        .page(&format!("/admin/users/{}", ada.user_id))
        .await;
    assert!(html.contains("admin, approver"), "{html}");

    // Unknown and malformed ids.
    let (status, _) = ada
        .browser
        .page(&format!("/admin/users/{}", latchkey_core::UserId::new()))
        .await;
    assert_eq!(status, 404);
    let (status, _) = ada.browser.page("/admin/users/not-an-id").await;
    assert_eq!(status, 404);
}
