//! The pages on the way from an application say which application asked:
//! "Sign in to continue to Test App" on the sign-in page, the step-up page
//! and the page for a browser that is signed in already. Without a request,
//! or with one that is gone, the pages are the plain ones.

use latchkey_testkit::TestApp;

use super::{Rp, get};
use crate::people::bootstrap_admin;

const NAMED: &str = "to continue to <strong>Test App</strong>";

#[tokio::test]
async fn the_sign_in_page_names_the_application_that_asked() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let mut browser = app.browser();
    let started = rp.start(&["openid"], |r| r);
    let (status, location, body) = get(&browser, started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    let signin = location.unwrap();
    assert!(signin.starts_with("/signin?next="), "{signin}");

    let (status, html) = browser.page(&signin).await;
    assert_eq!(status, 200);
    assert!(html.contains(NAMED), "{html}");

    // No request, a forged one, or another path: the plain page.
    for plain in [
        "/signin",
        "/signin?next=%2Fauthorize%2Fcontinue%3Fid%3Dnot-a-request",
        "/signin?next=%2Faccount",
    ] {
        let (status, html) = browser.page(plain).await;
        assert_eq!(status, 200, "{plain}");
        assert!(!html.contains("requesting-app"), "{plain}: {html}");
    }
}

#[tokio::test]
async fn a_signed_in_browser_and_the_step_up_page_name_it_too() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r);
    // Signed in already: /authorize goes on to consent or the code, so ask
    // for the page a signed-in browser sees with the request's next.
    let (status, location, body) = get(&app.browser(), started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    let next = location.unwrap().split_once("next=").unwrap().1.to_owned();

    let (status, html) = ada.browser.page(&format!("/signin?next={next}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"continue\""), "{html}");
    assert!(
        html.contains("Continue to <strong id=\"requesting-app\">Test App</strong>"),
        "{html}"
    );

    let (status, html) = ada.browser.page(&format!("/stepup?next={next}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>Test App</strong> asks for a fresh confirmation"),
        "{html}"
    );
    let (_, html) = ada.browser.page("/stepup?next=/account").await;
    assert!(
        html.contains("This change needs a fresh confirmation"),
        "{html}"
    );
}
