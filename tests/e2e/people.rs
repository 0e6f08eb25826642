//! Accounts for the end-to-end tests, created through the real pages and
//! endpoints with a software authenticator.

use latchkey_core::{Clock as _, PlainToken, TokenKind, UserId};
use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::{Browser, JsonReply, TestApp};
use serde_json::json;

/// A person: a browser (cookie jar) and the authenticator holding their passkeys.
pub struct Person {
    pub browser: Browser,
    pub auth: SoftAuthenticator,
    pub user_id: UserId,
}

/// Runs an enrolment from a grant with a fresh browser and authenticator.
pub async fn enrol(
    app: &TestApp,
    grant: &str,
    token: &str,
    username: &str,
    auth: SoftAuthenticator,
) -> Person {
    let mut browser = app.browser();
    let mut auth = auth;
    let options = browser
        .post_json(
            "/enrol/options",
            &json!({ "grant": grant, "token": token, "username": username, "display_name": format!("{username} Example") }),
        )
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = auth.register(&options.body, &app.address);
    let done = browser
        .post_json(
            "/enrol/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["redirect"], "/onboarding");
    let u = username.to_owned();
    let user_id = app
        .state
        .db
        .run(move |c| latchkey_store::users::find_by_username(c, &u))
        .await
        .unwrap()
        .expect("the account exists")
        .user_id()
        .unwrap();
    Person {
        browser,
        auth,
        user_id,
    }
}

/// The first administrator, through the bootstrap link.
pub async fn bootstrap_admin(app: &TestApp) -> Person {
    let url = app
        .bootstrap_url
        .clone()
        .expect("a bootstrap link on a fresh instance");
    let token = url.rsplit('/').next().unwrap().to_owned();
    enrol(app, "bootstrap", &token, "ada", SoftAuthenticator::new()).await
}

/// An invitation token (as `latchkey user invite` makes one).
pub async fn invitation(app: &TestApp, email: &str) -> String {
    let token = PlainToken::generate(TokenKind::Invitation);
    let (hashed, email, now) = (token.hashed(), email.to_owned(), app.clock.now());
    app.state
        .db
        .run(move |c| {
            latchkey_store::invitations::create(
                c,
                &email,
                &hashed,
                false,
                None,
                now,
                now + chrono::Duration::days(7),
            )
        })
        .await
        .unwrap();
    token.expose().to_owned()
}

/// An invited user with a passkey.
pub async fn invited_user(app: &TestApp, username: &str) -> Person {
    let token = invitation(app, &format!("{username}@example.com")).await;
    enrol(app, "invite", &token, username, SoftAuthenticator::new()).await
}

/// Starts a sign-in in `browser`: the options the server sent.
pub async fn sign_in_options(browser: &mut Browser) -> JsonReply {
    let options = browser.post_json("/signin/options", &json!({})).await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    options
}

/// Posts an assertion to finish a sign-in.
pub async fn sign_in_finish(
    browser: &mut Browser,
    options: &JsonReply,
    credential: serde_json::Value,
    flow: &str,
) -> JsonReply {
    browser
        .post_json("/signin/finish", &json!({ "ceremony": options.body["ceremony"], "credential": credential, "flow": flow }))
        .await
}

/// A complete, successful sign-in in a new browser.
pub async fn sign_in(app: &TestApp, auth: &mut SoftAuthenticator) -> Browser {
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    browser
}

/// How many live sessions the user has.
pub async fn session_count(app: &TestApp, user: UserId) -> usize {
    app.state
        .sessions
        .list_user_sessions(user)
        .await
        .unwrap()
        .len()
}

/// A user-verified step-up with the person's passkey in their browser, as
/// the step-up page does it: sensitive changes are allowed for 5 minutes.
pub async fn step_up(app: &TestApp, person: &mut Person) {
    let options = person
        .browser
        .post_json("/stepup/options", &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = person.auth.authenticate(&options.body, &app.address);
    let done = person
        .browser
        .post_json(
            "/stepup/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
}
