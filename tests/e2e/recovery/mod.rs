//! Account recovery from the user's side, through the real pages: naming
//! the account, the recovery code, the status page, the new passkey; the
//! cancel link of the notice and the cancel button of the account page;
//! the lock after five wrong codes; the enrolment grant's binding; and an
//! unknown account that reads exactly like a known one.

mod cancel;
mod elevated;
pub mod email;
mod flow;
mod privacy;

use latchkey_core::{GuardedActionId, UserId};
use latchkey_recovery::{Request, State};
use latchkey_testkit::{Browser, TestApp};

use crate::people::Person;

/// The recovery codes the onboarding page shows once after enrolment.
pub async fn onboarding_codes(person: &mut Person) -> Vec<String> {
    let (status, html) = person.browser.page("/onboarding").await;
    assert_eq!(status, 200, "{html}");
    codes_in(&html)
}

pub fn codes_in(html: &str) -> Vec<String> {
    let list = html
        .split("id=\"recovery-codes\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("a list of recovery codes");
    list.split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap().trim().to_owned())
        .collect()
}

/// A new browser that names `account` on the recovery page: where it was
/// sent.
pub async fn start(app: &TestApp, account: &str) -> (Browser, Option<String>) {
    let mut browser = app.browser();
    let (status, html) = browser.page("/recover").await;
    assert_eq!(status, 200, "{html}");
    let (status, location, body) = browser.post_form("/recover", &[("account", account)]).await;
    assert_eq!(status, 303, "{body}");
    (browser, location)
}

/// Posts a recovery code: status, Location and page.
pub async fn code(browser: &mut Browser, code: &str) -> (u16, Option<String>, String) {
    browser.post_form("/recover/code", &[("code", code)]).await
}

/// The state the status page shows (its `data-state`).
pub async fn shown_state(browser: &mut Browser) -> String {
    let (status, html) = browser.page("/recover/status").await;
    assert_eq!(status, 200, "{html}");
    html.split("data-state=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a data-state on the status page")
        .to_owned()
}

/// The open requests about `user`.
pub async fn requests_of(app: &TestApp, user: UserId) -> Vec<Request> {
    app.state.recovery.open_for(user).await.unwrap()
}

/// How many requests exist at all.
pub async fn request_count(app: &TestApp) -> i64 {
    app.db.row_counts().await["guarded_actions"]
}

pub async fn state_of(app: &TestApp, id: GuardedActionId) -> State {
    app.state.recovery.view(id).await.unwrap().state
}

/// The text of the newest e-mail whose subject contains `about`.
pub async fn newest_mail(app: &TestApp, about: &str) -> Option<String> {
    let about = about.to_owned();
    app.state
        .db
        .run(|c| latchkey_store::outbox::recent(c, 200))
        .await
        .unwrap()
        .into_iter()
        .map(|m| serde_json::from_str::<serde_json::Value>(&m.payload).unwrap())
        .find(|p| p["subject"].as_str().unwrap_or_default().contains(&about))
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
}

/// How many e-mails were queued.
pub async fn mail_count(app: &TestApp) -> usize {
    app.state
        .db
        .run(|c| latchkey_store::outbox::recent(c, 1000))
        .await
        .unwrap()
        .len()
}

/// The text of every e-mail queued, newest first.
pub async fn mail_texts(app: &TestApp) -> Vec<String> {
    app.state
        .db
        .run(|c| latchkey_store::outbox::recent(c, 1000))
        .await
        .unwrap()
        .into_iter()
        .map(|m| serde_json::from_str::<serde_json::Value>(&m.payload).unwrap())
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}
