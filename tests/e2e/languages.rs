//! The pages' language: `ui_locales` of the authorization request first,
//! then the account's choice, then `Accept-Language`, then English; the
//! instance's name on every page; discovery lists the languages.

use std::collections::BTreeMap;

use latchkey_testkit::{Browser, TestApp};

use crate::oidc::{Rp, get};
use crate::people::bootstrap_admin;

/// A page as a browser asking for `languages` gets it.
async fn page_in(browser: &Browser, path: &str, languages: &str) -> (u16, String) {
    let res = browser
        .client
        .get(browser.url(path))
        .header("accept-language", languages)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn ui_locales_de_on_authorize_renders_the_sign_in_page_in_german() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let browser = app.browser();
    let started = rp.start(&["openid"], |r| {
        r.add_ui_locale(openidconnect::LanguageTag::new("fr-CA".into()))
            .add_ui_locale(openidconnect::LanguageTag::new("de".into()))
    });
    assert!(
        started.url.as_str().contains("ui_locales=fr-CA+de"),
        "{}",
        started.url
    );
    let (status, location, body) = get(&browser, started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    let signin = location.unwrap();

    // The request's languages win over the browser's.
    let (status, html) = page_in(&browser, &signin, "en").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"de\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("Mit einem Passkey anmelden"), "{html}");
    assert!(
        html.contains("um mit <strong>Test App</strong> fortzufahren"),
        "{html}"
    );
    assert!(
        html.contains("<title>Anmelden — Latchkey</title>"),
        "{html}"
    );
    // The script's messages come in the page's language too.
    assert!(html.contains("Anmeldung läuft"), "{html}");

    // The same browser without the request: its own language.
    let (_, plain) = page_in(&browser, "/signin", "en").await;
    assert!(plain.contains("<html lang=\"en\" dir=\"ltr\">"), "{plain}");
    assert!(plain.contains("Sign in with a passkey"), "{plain}");
}

#[tokio::test]
async fn accept_language_ar_gives_right_to_left_pages_and_error_pages() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let (status, html) = page_in(&browser, "/signin", "ar-EG,ar;q=0.9,en;q=0.5").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("تسجيل الدخول بمفتاح مرور"), "{html}");

    let (status, html) = page_in(&browser, "/no/such/page", "ar").await;
    assert_eq!(status, 404);
    assert!(html.contains("dir=\"rtl\""), "{html}");
    assert!(html.contains("هذه الصفحة غير موجودة."), "{html}");
    assert!(
        html.contains("id=\"instance-name\"><span>Latchkey</span></a>"),
        "{html}"
    );

    // A language not shipped, or none: English.
    for asked in ["fr-FR,fr;q=0.9", ""] {
        let (_, html) = page_in(&browser, "/signin", asked).await;
        assert!(
            html.contains("<html lang=\"en\" dir=\"ltr\">"),
            "{asked}: {html}"
        );
    }
}

#[tokio::test]
async fn the_accounts_language_comes_before_the_browsers_and_bad_choices_change_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    // The console follows the browser like every other page.
    let (status, html) = page_in(&ada.browser, "/admin/approvals", "ar").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    let (_, html) = ada.browser.page("/account").await;
    assert!(html.contains("id=\"language-form\""), "{html}");
    assert!(html.contains("<option value=\"\" selected>"), "{html}");

    let (status, _, body) = ada
        .browser
        .post_form("/account/language", &[("language", "xx")])
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Choose a language from the list."), "{body}");
    let (_, html) = page_in(&ada.browser, "/account", "en").await;
    assert!(html.contains("<html lang=\"en\""), "{html}");

    let (status, location, _) = ada
        .browser
        .post_form("/account/language", &[("language", "de")])
        .await;
    assert_eq!(status, 303);
    assert!(
        location
            .unwrap()
            .starts_with("/account?done=language-saved")
    );
    let (_, html) = page_in(&ada.browser, "/account?done=language-saved", "en").await;
    assert!(html.contains("<html lang=\"de\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("Ihre Sprache ist gespeichert."), "{html}");
    assert!(
        html.contains("<option value=\"de\" lang=\"de\" selected>"),
        "{html}"
    );

    // "As my browser asks" again.
    let (status, _, _) = ada
        .browser
        .post_form("/account/language", &[("language", "")])
        .await;
    assert_eq!(status, 303);
    let (_, html) = page_in(&ada.browser, "/account", "ar").await;
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");

    // Without the form's token nothing is stored.
    let res = ada
        .browser
        .client
        .post(ada.browser.url("/account/language"))
        .form(&[("csrf", "forged"), ("language", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, html) = page_in(&ada.browser, "/account", "ar").await;
    assert!(html.contains("<html lang=\"ar\""), "{html}");
}

#[tokio::test]
async fn the_instance_name_is_in_the_header_and_title_of_every_page() {
    let app = TestApp::spawn_with(BTreeMap::from([(
        "LATCHKEY_INSTANCE_NAME".to_owned(),
        "Example <Corp>".to_owned(),
    )]))
    .await;
    let browser = app.browser();
    for (path, status) in [
        ("/", 200),
        ("/signin", 200),
        ("/recover", 200),
        ("/nowhere", 404),
    ] {
        let (got, html) = page_in(&browser, path, "en").await;
        assert_eq!(got, status, "{path}");
        assert!(
            html.contains("id=\"instance-name\"><span>Example &#60;Corp&#62;</span></a>"),
            "{path}: {html}"
        );
        let title = html
            .split("<title>")
            .nth(1)
            .unwrap()
            .split("</title>")
            .next()
            .unwrap();
        assert!(title.ends_with("Example &#60;Corp&#62;"), "{path}: {title}");
    }
}

#[tokio::test]
async fn discovery_lists_the_languages_of_the_pages() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["ui_locales_supported"],
        serde_json::json!(["en", "de", "ar"])
    );
}

#[tokio::test]
async fn the_scripts_error_messages_come_in_the_pages_language() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let csrf = browser.csrf().await;
    let finish = |lang: &'static str| {
        browser
            .client
            .post(browser.url("/signin/finish"))
            .header("x-csrf-token", csrf.clone())
            .header("accept-language", lang)
            .json(&serde_json::json!({ "ceremony": "no-such-ceremony", "credential": {} }))
            .send()
    };
    let de: serde_json::Value = finish("de").await.unwrap().json().await.unwrap();
    assert_eq!(de["error"], "challenge_expired", "{de}");
    assert_eq!(
        de["message"],
        "Diese Anmeldeanfrage ist abgelaufen oder wurde schon verwendet. Versuchen Sie es erneut."
    );
    let en: serde_json::Value = finish("en").await.unwrap().json().await.unwrap();
    assert_eq!(
        en["message"],
        "This sign-in request has expired or was already used. Try again."
    );
}

#[tokio::test]
async fn the_consoles_request_and_policy_pages_follow_the_administrators_language() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;

    // By the browser: German, then Arabic right to left.
    for (path, german, english) in [
        (
            "/admin/approvals",
            "Anfragen, die auf eine Entscheidung warten",
            "Requests awaiting a decision",
        ),
        (
            "/admin/policies",
            "Attestierungsrichtlinien",
            "Authenticator metadata",
        ),
        (
            "/admin/recovery-policies",
            "Wiederherstellungsrichtlinien",
            "What each request about an account needs",
        ),
        (
            "/admin/recovery-policies/standard/recover_account",
            "Kontowiederherstellung",
            "Kinds of factor that count",
        ),
    ] {
        let (status, html) = page_in(&ada.browser, path, "de-DE,de;q=0.9").await;
        assert_eq!(status, 200, "{path}: {html}");
        assert!(html.contains("<html lang=\"de\" dir=\"ltr\">"), "{path}");
        assert!(html.contains(german), "{path}: {html}");
        assert!(!html.contains(english), "{path}: {html}");
        // The navigation too.
        assert!(html.contains(">Freigaben</a>"), "{path}");
        let (_, html) = page_in(&ada.browser, path, "ar").await;
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{path}");
        assert!(html.contains(">الموافقات</a>"), "{path}");
        assert!(!html.contains(english), "{path}: {html}");
    }

    // "Back" points the way the language reads.
    let (_, html) = page_in(
        &ada.browser,
        "/admin/recovery-policies/standard/recover_account",
        "ar",
    )
    .await;
    assert!(html.contains("→ سياسات الاسترداد</a>"), "{html}");
    let (_, html) = page_in(
        &ada.browser,
        "/admin/recovery-policies/standard/recover_account",
        "de",
    )
    .await;
    assert!(
        html.contains("← Wiederherstellungsrichtlinien</a>"),
        "{html}"
    );

    // By the account's choice, whatever the browser asks: a refused form
    // says why in German and changes nothing.
    let (status, _, _) = ada
        .browser
        .post_form("/account/language", &[("language", "de")])
        .await;
    assert_eq!(status, 303);
    let before = crate::console_recovery_policies::standard_recovery(&app).await;
    let (status, _, html) = ada
        .browser
        .post_form(
            "/admin/recovery-policies/standard/recover_account",
            &[
                ("factors", "elf"),
                ("kind_recovery_code", "on"),
                ("delay", "1h"),
                ("approvals", "0"),
                ("approver_role", "approver"),
                ("lifetime", "7d"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("<html lang=\"de\""), "{html}");
    assert!(
        html.contains("Die Zahl der Nachweise muss eine ganze Zahl von 0 bis 10 sein."),
        "{html}"
    );
    assert!(
        html.contains("value=\"elf\""),
        "what was typed is shown again"
    );
    let after = crate::console_recovery_policies::standard_recovery(&app).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn names_the_server_gives_follow_the_persons_language() {
    let app = TestApp::spawn().await;
    let mut bob = crate::people::invited_user(&app, "bob").await;
    let (status, _, _) = bob
        .browser
        .post_form("/account/language", &[("language", "de")])
        .await;
    assert_eq!(status, 303);
    // A passkey of no known model, given no name.
    let mut phone = latchkey_testkit::authenticator::SoftAuthenticator::synced();
    let added = crate::account::add_passkey(&app, &mut bob, &mut phone, "").await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    let user = bob.user_id;
    let labels: Vec<String> = app
        .state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Passkey hinzugefügt am ")),
        "{labels:?}"
    );
    // The sessions list names the device in German.
    let (_, html) = bob.browser.page("/account").await;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    assert!(html.contains("Unbekannt"), "{html}");
    assert!(
        !html.contains("Unknown browser") && !html.contains("Unknown device"),
        "{html}"
    );
}
