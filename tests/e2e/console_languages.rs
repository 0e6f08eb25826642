//! The console's accounts, applications, keys, settings, branding,
//! dashboard and audit pages in the administrator's language: German and
//! Arabic (right to left), chosen by `Accept-Language`; the console's own
//! refusals too.

use latchkey_testkit::{Browser, TestApp};

use crate::people::{bootstrap_admin, invited_user};

/// A page as a browser asking for `language` gets it.
async fn page_in(browser: &Browser, path: &str, language: &str) -> (u16, String) {
    let res = browser
        .client
        .get(browser.url(path))
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A console form posted by a browser asking for `language`.
async fn post_in(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    language: &str,
) -> (u16, String) {
    let csrf = browser.csrf().await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = browser
        .client
        .post(browser.url(path))
        .header("accept-language", language)
        .form(&form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// What a page says in German, in Arabic, and in English.
struct Says {
    de: &'static str,
    ar: &'static str,
    en: &'static str,
}

const fn says(de: &'static str, ar: &'static str, en: &'static str) -> Says {
    Says { de, ar, en }
}

fn check(html: &str, what: &str, language: &str, says: &Says) {
    let (tag, text) = match language {
        "de" => ("<html lang=\"de\" dir=\"ltr\">", says.de),
        _ => ("<html lang=\"ar\" dir=\"rtl\">", says.ar),
    };
    assert!(html.contains(tag), "{what} in {language}: {html}");
    assert!(
        html.contains(text),
        "{what} in {language} lacks {text}: {html}"
    );
    assert!(
        !html.contains(says.en),
        "{what} in {language} still says {}: {html}",
        says.en
    );
}

const WIKI: &[(&str, &str)] = &[
    ("name", "Wiki"),
    ("redirect_uris", "https://wiki.example.com/cb"),
    ("post_logout_redirect_uris", ""),
    ("min_acr", ""),
    ("scopes", "openid profile"),
    ("resources", ""),
    ("id_token_alg", "ES256"),
];

#[tokio::test]
async fn the_console_pages_speak_german_and_arabic() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    ada.browser.page("/admin/clients").await;

    for language in ["de", "ar"] {
        // Pages reached by a form: the new invitation, the new application.
        let (status, html) = post_in(
            &mut ada.browser,
            "/admin/users/invite",
            &[
                ("email", &format!("{language}@example.com")),
                ("expires", "7d"),
            ],
            language,
        )
        .await;
        assert_eq!(status, 200, "{html}");
        check(
            &html,
            "invitation",
            language,
            &says("<h1>Einladung für", "<h1>دعوة إلى", "<h1>Invitation for"),
        );
        let (status, html) = post_in(&mut ada.browser, "/admin/clients", WIKI, language).await;
        assert_eq!(status, 200, "{html}");
        check(
            &html,
            "new application",
            language,
            &says(
                "Wiki ist registriert",
                "تم تسجيل Wiki",
                "Wiki is registered",
            ),
        );
        let client = html
            .split("id=\"client-id\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned();

        let pages = [
            (
                "/admin/dashboard".to_owned(),
                says(
                    "<h2>Verbreitung</h2>",
                    "<h1>لوحة المعلومات</h1>",
                    "<h2>Adoption</h2>",
                ),
            ),
            (
                "/admin/users".to_owned(),
                says("<h1>Konten</h1>", "<h1>الحسابات</h1>", "<h1>Accounts</h1>"),
            ),
            (
                format!("/admin/users/{}", bob.user_id),
                says(
                    "<h2>Sitzungen</h2>",
                    "<h2>الجلسات</h2>",
                    "<h2>Sessions</h2>",
                ),
            ),
            (
                "/admin/clients".to_owned(),
                says(
                    "<h1>Anwendungen</h1>",
                    "<h1>التطبيقات</h1>",
                    "<h1>Applications</h1>",
                ),
            ),
            (
                format!("/admin/clients/{client}"),
                says(
                    "<h2>So sehen Personen sie</h2>",
                    "<h2>كيف يراه الناس</h2>",
                    "<h2>How people see it</h2>",
                ),
            ),
            (
                "/admin/keys".to_owned(),
                says(
                    "<h1>Signaturschlüssel</h1>",
                    "<h1>مفاتيح التوقيع</h1>",
                    "<h1>Signing keys</h1>",
                ),
            ),
            (
                "/admin/settings".to_owned(),
                says(
                    "<h1>Einstellungen</h1>",
                    "<h1>الإعدادات</h1>",
                    "<h1>Settings</h1>",
                ),
            ),
            (
                "/admin/branding".to_owned(),
                says(
                    "<h1>Erscheinungsbild</h1>",
                    "<h1>الهوية البصرية</h1>",
                    "<h1>Branding</h1>",
                ),
            ),
            (
                "/admin/audit".to_owned(),
                says(
                    "<h1>Audit-Protokoll</h1>",
                    "<h1>سجل التدقيق</h1>",
                    "<h1>Audit log</h1>",
                ),
            ),
        ];
        for (path, says) in &pages {
            let (status, html) = page_in(&ada.browser, path, language).await;
            assert_eq!(status, 200, "{path}: {html}");
            check(&html, path, language, says);
        }

        // The audit page names events in the language; the kind stays
        // available, as the exports write it.
        let (_, html) = page_in(&ada.browser, "/admin/audit", language).await;
        let label = if language == "de" {
            "Einladung erstellt"
        } else {
            "إنشاء دعوة"
        };
        assert!(html.contains(label), "{html}");
        assert!(html.contains("title=\"invitation.created\""), "{html}");

        // A refused filter, on the page, in the language.
        let (status, html) = page_in(&ada.browser, "/admin/audit?kind=nope", language).await;
        assert_eq!(status, 400);
        check(
            &html,
            "refused filter",
            language,
            &says(
                "Das ist keine Art von Audit-Ereignis.",
                "هذا ليس نوعًا من أحداث التدقيق.",
                "That is not a kind of audit event.",
            ),
        );
    }

    // A refused registration names the field and what is wrong, in German.
    let mut insecure = WIKI.to_vec();
    insecure[1] = ("redirect_uris", "http://wiki.example.com/cb");
    let (status, html) = post_in(&mut ada.browser, "/admin/clients", &insecure, "de").await;
    assert_eq!(status, 400, "{html}");
    check(
        &html,
        "refused registration",
        "de",
        &says(
            "Weiterleitungs-URIs: Die Weiterleitungs-URI &#34;http://wiki.example.com/cb&#34; wird abgelehnt: einfaches http ist nur für Loopback-Hosts erlaubt",
            "",
            "is refused",
        ),
    );
    assert!(html.contains("Es wurde nichts registriert."), "{html}");

    // The account rules' refusal of an invitation, in Arabic.
    let (status, html) = post_in(
        &mut ada.browser,
        "/admin/users/invite",
        &[("email", "not an address"), ("expires", "7d")],
        "ar",
    )
    .await;
    assert_eq!(status, 400, "{html}");
    check(
        &html,
        "refused invitation",
        "ar",
        &says(
            "",
            "هذا ليس عنوان بريد إلكتروني.",
            "That is not an e-mail address.",
        ),
    );

    // An approver who is not an administrator is refused the keys, in German.
    let mut carol = invited_user(&app, "carol").await;
    let (id, now) = (carol.user_id, latchkey_core::Clock::now(&app.clock));
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, id, "approver", None, now))
        .await
        .unwrap();
    carol.browser.page("/account").await;
    let (status, html) = page_in(&carol.browser, "/admin/keys", "de").await;
    assert_eq!(status, 403, "{html}");
    check(
        &html,
        "refusal",
        "de",
        &says(
            "Signaturschlüssel sind Administratoren vorbehalten.",
            "",
            "Signing keys are for administrators.",
        ),
    );
    // English still reads as before.
    let (status, html) = page_in(&carol.browser, "/admin/keys", "en").await;
    assert_eq!(status, 403);
    assert!(
        html.contains("Signing keys are for administrators."),
        "{html}"
    );
}
