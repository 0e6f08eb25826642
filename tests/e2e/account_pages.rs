//! What the account and sign-in pages show: which device each session is,
//! signing out one other session, passkeys not used yet, what allowed
//! applications can see, and `/signin` for a browser signed in already.

use latchkey_testkit::TestApp;
use openidconnect::core::CoreAuthPrompt;

use crate::oidc::{ClientOptions, Rp, authorize, get, hidden};
use crate::people::{invited_user, session_count, sign_in_finish, sign_in_options};

const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Signs `person` in from a new browser that sends `user_agent`.
async fn sign_in_as(
    app: &TestApp,
    auth: &mut latchkey_testkit::authenticator::SoftAuthenticator,
    user_agent: &str,
) -> latchkey_testkit::Browser {
    let mut browser = app.browser_as(user_agent);
    let options = sign_in_options(&mut browser).await;
    let credential = auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    browser
}

/// The handle in the `data-session` row that mentions `needle`.
fn session_handle(html: &str, needle: &str) -> String {
    html.split("<tr data-session=\"")
        .skip(1)
        .find(|row| row.split("</tr>").next().unwrap().contains(needle))
        .and_then(|row| row.split('"').next())
        .unwrap_or_else(|| panic!("no session row with {needle}: {html}"))
        .to_owned()
}

#[tokio::test]
async fn the_account_page_says_which_device_and_address_each_session_is() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let mut laptop = sign_in_as(&app, &mut bob.auth, FIREFOX_LINUX).await;
    let _phone = sign_in_as(&app, &mut bob.auth, SAFARI_IPHONE).await;

    let (status, html) = laptop.page("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("Safari on iPhone"), "{html}");
    assert!(html.contains("Firefox on Linux"), "{html}");
    assert!(html.contains("from 127.0.0.1"), "{html}");
    assert!(!html.contains(">linux<"), "{html}");
    // "This device" marks the laptop's own row only, which has no sign-out.
    let laptop_row = session_handle(&html, "Firefox on Linux");
    let row = html
        .split(&format!("data-session=\"{laptop_row}\""))
        .nth(1)
        .unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(row.contains("This device"), "{row}");
    assert!(!row.contains("/signout"), "{row}");
    assert_eq!(html.matches("This device").count(), 1, "{html}");
    let phone_row = session_handle(&html, "Safari on iPhone");
    assert!(html.contains(&format!("/account/sessions/{phone_row}/signout")));

    // A User-Agent is kept bounded, whatever the browser sends.
    let _odd = sign_in_as(&app, &mut bob.auth, &format!("Bot/{}", "x".repeat(4000))).await;
    let sessions = app
        .state
        .sessions
        .list_user_sessions(bob.user_id)
        .await
        .unwrap();
    let longest = sessions
        .iter()
        .filter_map(latchkey_session::SessionData::of)
        .map(|d| d.user_agent.chars().count())
        .max()
        .unwrap();
    assert_eq!(longest, latchkey_web::client::MAX_USER_AGENT);
}

#[tokio::test]
async fn one_other_session_can_be_signed_out_and_another_accounts_cannot() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let mut eve = invited_user(&app, "eve").await;
    let mut phone = sign_in_as(&app, &mut bob.auth, SAFARI_IPHONE).await;
    let (_, html) = bob.browser.page("/account").await;
    let phone_handle = session_handle(&html, "Safari on iPhone");
    assert_eq!(session_count(&app, bob.user_id).await, 2);

    // Eve names Bob's session: not found, and nothing changes anywhere.
    let before = app.db.row_counts().await;
    eve.browser.page("/account").await;
    let (status, _, _) = eve
        .browser
        .post_form(&format!("/account/sessions/{phone_handle}/signout"), &[])
        .await;
    assert_eq!(status, 404);
    assert_eq!(app.db.row_counts().await, before);
    assert_eq!(session_count(&app, bob.user_id).await, 2);
    assert_eq!(phone.page("/account").await.0, 200);
    // Nor does a handle that names nothing, or the token-like garbage.
    for bogus in ["0".repeat(64), "not-a-handle".to_owned()] {
        let (status, _, _) = bob
            .browser
            .post_form(&format!("/account/sessions/{bogus}/signout"), &[])
            .await;
        assert_eq!(status, 404, "{bogus}");
    }
    assert_eq!(app.db.row_counts().await, before);

    // Without the form's CSRF token, refused.
    let res = bob
        .browser
        .client
        .post(
            bob.browser
                .url(&format!("/account/sessions/{phone_handle}/signout")),
        )
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(session_count(&app, bob.user_id).await, 2);

    // Bob signs his phone out from his first browser.
    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/sessions/{phone_handle}/signout"), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=signed-out-one"))
    );
    assert_eq!(
        phone.page("/account").await.0,
        303,
        "the phone is signed out"
    );
    assert_eq!(bob.browser.page("/account").await.0, 200, "this one is not");
    assert_eq!(session_count(&app, bob.user_id).await, 1);
    let after = app.db.row_counts().await;
    // Its OpenID Connect session ended too (codes issued in it are refused).
    assert_eq!(after["ended_sessions"], before["ended_sessions"] + 1);
    assert!(crate::oidc::audited(&app, "session.ended").await);
    assert_eq!(session_count(&app, eve.user_id).await, 1);
    let _ = &mut eve.auth;
}

#[tokio::test]
async fn a_new_passkey_reads_not_yet_used_until_it_signs_in() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let (_, html) = bob.browser.page("/account").await;
    assert!(html.contains("not yet used to sign in"), "{html}");
    assert!(!html.contains("never"), "{html}");
    assert!(!html.contains("Last used"), "{html}");

    let mut again = sign_in_as(&app, &mut bob.auth, FIREFOX_LINUX).await;
    let (_, html) = again.page("/account").await;
    assert!(html.contains("Last used 20"), "{html}");
    assert!(!html.contains("not yet used to sign in"), "{html}");
}

#[tokio::test]
async fn allowed_applications_are_listed_with_what_they_can_see_in_words() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            ..ClientOptions::default()
        },
    )
    .await;
    let started = rp.start(&["openid", "email", "profile"], |r| r);
    let (status, _, page) = get(&bob.browser, started.url.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("your email address"), "{page}");
    let (status, _, _) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &hidden(&page, "request")),
                ("decision", "allow"),
                ("user", &bob.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 303);

    let (_, html) = bob.browser.page("/account").await;
    let apps = html
        .split("id=\"apps\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    for described in [
        "your account id",
        "your email address",
        "your name and username",
    ] {
        assert!(apps.contains(described), "{described}: {apps}");
    }
    assert!(
        !apps.contains(">email<") && !apps.contains("openid"),
        "{apps}"
    );
}

#[tokio::test]
async fn signin_offers_a_signed_in_user_continue_or_someone_else() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;

    let (status, html) = bob.browser.page("/signin?next=%2Faccount%3Fx%3D1").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("You are signed in as <strong>bob</strong>"),
        "{html}"
    );
    assert!(html.contains("href=\"/account?x=1\""), "{html}");
    assert!(!html.contains("signin-form"), "{html}");
    // Continue follows the same rules as the form: same origin only.
    let (_, html) = bob
        .browser
        .page("/signin?next=https%3A%2F%2Fevil.example%2F")
        .await;
    assert!(!html.contains("evil.example"), "{html}");
    assert!(html.contains("href=\"/account\""), "{html}");

    // "Sign in as someone else" signs out, then shows the form.
    let (status, location, _) = bob
        .browser
        .post_form("/signout", &[("next", "/account?x=1")])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/signin?next=%2Faccount%3Fx%3D1"))
    );
    assert_eq!(session_count(&app, bob.user_id).await, 0);
    let (_, html) = bob.browser.page("/signin?next=%2Faccount").await;
    assert!(html.contains("signin-form"), "{html}");
    assert!(!html.contains("You are signed in"), "{html}");
    let _ = &mut bob.auth;
}

#[tokio::test]
async fn signin_shows_the_form_to_a_signed_in_user_when_the_application_wants_a_fresh_sign_in() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::new(&app).await;
    // Signed in, nothing more asked: the request goes through at once.
    let started = rp.start(&["openid"], |r| r);
    authorize(&app, &rp, &mut bob.browser, &mut bob.auth, &started).await;

    for tweak in ["prompt=login", "max_age=0"] {
        let started = rp.start(&["openid"], |r| match tweak {
            "max_age=0" => r.set_max_age(std::time::Duration::from_secs(0)),
            _ => r.add_prompt(CoreAuthPrompt::Login),
        });
        let (status, location, _) = get(&bob.browser, started.url.as_str()).await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        assert!(location.starts_with("/signin?next="), "{tweak}: {location}");
        let (status, html) = bob.browser.page(&location).await;
        assert_eq!(status, 200);
        assert!(html.contains("signin-form"), "{tweak}: {html}");
        assert!(!html.contains("You are signed in"), "{tweak}: {html}");
    }

    // A request that is waiting for consent only needs no new sign-in.
    let third = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            ..ClientOptions::default()
        },
    )
    .await;
    let started = third.start(&["openid"], |r| r);
    let (_, _, page) = get(&bob.browser, started.url.as_str()).await;
    let next = latchkey_web::oidc::authorize::continue_path(&hidden(&page, "request"));
    let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let (_, html) = bob.browser.page(&format!("/signin?next={enc}")).await;
    assert!(html.contains("You are signed in as"), "{html}");
    assert!(html.contains(&next.replace('&', "&amp;")), "{html}");
}
