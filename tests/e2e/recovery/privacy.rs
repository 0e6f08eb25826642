//! Naming an account that does not exist reads exactly like naming one that
//! does: the same redirect, the same cookie, the same pages, no faster; but
//! nothing is stored and nobody is told.

use std::time::{Duration, Instant};

use latchkey_testkit::{Browser, TestApp};

use super::{mail_count, request_count};
use crate::people::{bootstrap_admin, invited_user};

/// Names `account` from a new browser: status, Location, the recovery
/// cookie's length, and how long it took.
async fn name(app: &TestApp, account: &str) -> (Browser, u16, String, usize, Duration) {
    let mut browser = app.browser();
    browser.page("/recover").await;
    let csrf = browser.csrf().await;
    let started = Instant::now();
    let res = browser
        .client
        .post(browser.url("/recover"))
        .form(&[("csrf", csrf.as_str()), ("account", account)])
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = res.status().as_u16();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(latchkey_web::recover_state::COOKIE))
        .expect("a recovery cookie")
        .to_owned();
    (browser, status, location, cookie.len(), took)
}

/// A page with this browser's CSRF token taken out.
async fn page(browser: &mut Browser, path: &str) -> (u16, String) {
    let (status, html) = browser.page(path).await;
    let csrf = browser.csrf().await;
    (status, html.replace(&csrf, "CSRF"))
}

async fn wrong_code(browser: &mut Browser) -> (u16, String) {
    let csrf = browser.csrf().await;
    let (status, _, html) = browser
        .post_form("/recover/code", &[("code", "not-a-code-1234")])
        .await;
    (status, html.replace(&csrf, "CSRF"))
}

#[tokio::test]
async fn an_unknown_account_is_indistinguishable_from_a_known_one() {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let _bob = invited_user(&app, "bob").await;
    let (requests, mails) = (request_count(&app).await, mail_count(&app).await);

    let (mut real, rs, rl, rc, rt) = name(&app, "bob").await;
    assert_eq!(request_count(&app).await, requests + 1);
    let mails_after_real = mail_count(&app).await;
    assert_eq!(mails_after_real, mails + 1, "the owner is told");
    let (mut fake, fs, fl, fc, ft) = name(&app, "nobody-here").await;
    assert_eq!(
        request_count(&app).await,
        requests + 1,
        "a decoy is never stored"
    );
    assert_eq!(mail_count(&app).await, mails_after_real, "nobody is told");

    assert_eq!((rs, rl.as_str()), (303, "/recover/factor"));
    assert_eq!((fs, fl.as_str()), (303, "/recover/factor"));
    assert_eq!(rc, fc, "cookies of the same shape");
    let floor = latchkey_web::recover::RESPONSE_FLOOR;
    assert!(rt >= floor && ft >= floor, "{rt:?} {ft:?}");

    for path in ["/recover/factor", "/recover/status"] {
        assert_eq!(
            page(&mut real, path).await,
            page(&mut fake, path).await,
            "{path}"
        );
    }
    let (real_status, real_html) = wrong_code(&mut real).await;
    let (fake_status, fake_html) = wrong_code(&mut fake).await;
    assert_eq!(real_status, 400);
    assert_eq!((real_status, real_html), (fake_status, fake_html));
    assert_eq!(
        page(&mut real, "/recover/status").await,
        page(&mut fake, "/recover/status").await
    );

    // Asking for an e-mail link: the same answer (bob has no verified
    // address; the decoy has no account).
    let (a, _, real_html) = real.post_form("/recover/email", &[]).await;
    let (b, _, fake_html) = fake.post_form("/recover/email", &[]).await;
    let (rcsrf, fcsrf) = (real.csrf().await, fake.csrf().await);
    assert_eq!(
        (a, real_html.replace(&rcsrf, "CSRF")),
        (b, fake_html.replace(&fcsrf, "CSRF"))
    );
}
