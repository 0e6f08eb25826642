//! The catalogue's own checks: every language has exactly English's keys,
//! every file parses, every key the templates, the code and the script use
//! exists; and negotiation.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fluent_bundle::FluentResource;
use fluent_syntax::ast;

use super::*;

fn keys(locale: Locale) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, source) in locale.sources().iter().enumerate() {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!(
                "locales/{}/{}.ftl does not parse: {errors:?}",
                locale.code(),
                FILES[i]
            ),
        };
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                assert!(
                    out.insert(m.id.name.to_owned()),
                    "{} is defined twice in {}",
                    m.id.name,
                    locale.code()
                );
                assert!(
                    m.value.is_some(),
                    "{} has no value in {}",
                    m.id.name,
                    locale.code()
                );
            }
        }
    }
    out
}

#[test]
fn every_language_has_exactly_the_english_keys() {
    let english = keys(Locale::DEFAULT);
    assert!(english.len() > 100, "{} keys", english.len());
    for locale in Locale::all().skip(1) {
        let theirs = keys(locale);
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
        assert!(
            extra.is_empty(),
            "{} has keys English lacks: {extra:?}",
            locale.code()
        );
    }
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_language_folder_is_shipped_with_exactly_the_listed_files() {
    let mut folders: Vec<String> = std::fs::read_dir(repository().join("locales"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut shipped: Vec<String> = Locale::all().map(|l| l.code().to_owned()).collect();
    shipped.sort();
    assert_eq!(
        folders, shipped,
        "a folder under locales/ is not in LANGUAGES (or the reverse)"
    );
    for code in &shipped {
        let mut files: Vec<String> = std::fs::read_dir(repository().join("locales").join(code))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut listed: Vec<String> = FILES.iter().map(|f| format!("{f}.ftl")).collect();
        listed.sort();
        assert_eq!(files, listed, "locales/{code}");
    }
}

/// The message keys named literally in `text`: `.t("key"`, `.t1("key"`,
/// `.t2(`, `.h1(`, `.h2(`, `msg("key")`, `Message::Key("key")`,
/// `Message::Seconds("key"` and the script's `M('key')`.
fn used_keys(text: &str) -> Vec<String> {
    const CALLS: [&str; 10] = [
        ".t(\"",
        ".t1(\"",
        ".t2(\"",
        ".h1(\"",
        ".h2(\"",
        "msg(\"",
        "Message::Key(\"",
        "Message::Seconds(\"",
        "M('",
        "M(\"",
    ];
    let mut out = Vec::new();
    for call in CALLS {
        let close = if call.ends_with('\'') { '\'' } else { '"' };
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            if let Some(end) = rest.find(close) {
                let key = &rest[..end];
                if !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    out.push(key.to_owned());
                }
            }
        }
    }
    out
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_key_the_templates_the_code_and_the_script_use_exists_in_english() {
    let root = repository();
    let mut files = Vec::new();
    files_under(&root.join("templates"), "html", &mut files);
    files_under(&root.join("crates"), "rs", &mut files);
    files_under(&root.join("static"), "js", &mut files);
    let english = keys(Locale::DEFAULT);
    let mut used = 0;
    let mut unknown = Vec::new();
    for file in files {
        // This file's examples are not uses.
        if file.ends_with("latchkey-i18n/src/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for key in used_keys(&text) {
            used += 1;
            if !english.contains(&key) {
                unknown.push(format!("{}: {key}", file.display()));
            }
        }
    }
    assert!(
        used > 200,
        "only {used} uses found: is the scan still right?"
    );
    assert!(unknown.is_empty(), "keys not in locales/en: {unknown:#?}");
}

#[test]
fn the_key_scan_finds_each_form_of_use() {
    let text = r#"{{ chrome.t("a-b") }} chrome.t1("c", "n", x) msg("d-e") Message::Key("f") M('g-h') chrome.t(key)"#;
    assert_eq!(used_keys(text), ["a-b", "c", "d-e", "f", "g-h"]);
}

#[test]
fn messages_are_formatted_with_their_arguments_and_plurals() {
    let en = Locale::DEFAULT;
    let de = Locale::from_code("de").unwrap();
    let ar = Locale::from_code("ar").unwrap();
    assert_eq!(
        en.format("duration-minutes", &[("n", 1.into())]),
        "1 minute"
    );
    assert_eq!(
        en.format("duration-minutes", &[("n", 5.into())]),
        "5 minutes"
    );
    assert_eq!(
        de.format("duration-minutes", &[("n", 5.into())]),
        "5 Minuten"
    );
    assert!(
        ar.format("duration-minutes", &[("n", 5.into())])
            .contains('5')
    );
    assert_eq!(
        en.format("signin-continue-to", &[("app", "Payroll".into())]),
        "to continue to <strong>Payroll</strong>"
    );
    // An unknown key shows itself rather than nothing.
    assert_eq!(de.t("no-such-key"), "no-such-key");
}

#[test]
fn durations_read_as_before_in_english_and_follow_the_language() {
    let en = Locale::DEFAULT;
    let d = chrono::Duration::seconds;
    assert_eq!(en.duration(d(42)), "42 seconds");
    assert_eq!(en.duration(d(61)), "2 minutes");
    assert_eq!(en.duration(d(3600)), "1 hour");
    assert_eq!(en.duration(d(3 * 3600 + 5 * 60)), "3 hours 5 minutes");
    assert_eq!(en.duration(d(3 * 86_400)), "3 days");
    assert_eq!(en.duration(d(-5)), "0 seconds");
    let de = Locale::from_code("de").unwrap();
    assert_eq!(de.duration(d(3 * 3600 + 60)), "3 Stunden 1 Minute");
}

#[test]
fn dates_follow_the_language() {
    let t = chrono::DateTime::parse_from_rfc3339("2026-12-07T16:08:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(Locale::DEFAULT.datetime(t), "2026-12-07 16:08 UTC");
    assert_eq!(
        Locale::from_code("de").unwrap().datetime(t),
        "07.12.2026, 16:08 UTC"
    );
    assert_eq!(
        Locale::from_code("ar").unwrap().datetime(t),
        "7 ديسمبر 2026، \u{2066}16:08 UTC\u{2069}"
    );
    assert_eq!(
        Locale::from_code("de").unwrap().date(t.date_naive()),
        "07.12.2026"
    );
}

fn code(p: Preferences<'_>) -> &'static str {
    negotiate(&p).code()
}

#[test]
fn ui_locales_come_first_then_the_account_then_accept_language() {
    let all = Preferences {
        ui_locales: Some("fr de"),
        account: Some("ar"),
        accept_language: Some("en"),
    };
    // The first shipped language of ui_locales wins (fr is not shipped).
    assert_eq!(code(all), "de");
    assert_eq!(
        code(Preferences {
            ui_locales: None,
            ..all
        }),
        "ar"
    );
    assert_eq!(
        code(Preferences {
            ui_locales: Some("fr"),
            account: None,
            ..all
        }),
        "en"
    );
    assert_eq!(
        code(Preferences {
            ui_locales: None,
            account: None,
            accept_language: Some("de")
        }),
        "de"
    );
    assert_eq!(code(Preferences::default()), "en");
    // A stored value that is no longer shipped leaves the choice to the next.
    assert_eq!(
        code(Preferences {
            account: Some("xx"),
            accept_language: Some("ar"),
            ..Default::default()
        }),
        "ar"
    );
}

#[test]
fn accept_language_is_read_by_quality_and_region_falls_back_to_language() {
    let pick = |h: &str| accept_language(h).map(Locale::code);
    assert_eq!(pick("de-AT,de;q=0.9,en;q=0.8"), Some("de"));
    assert_eq!(pick("fr-CH, fr;q=0.9, ar;q=0.8, en;q=0.7"), Some("ar"));
    assert_eq!(pick("en;q=0.5, de;q=0.9"), Some("de"));
    assert_eq!(pick("de;q=0, en"), Some("en"));
    assert_eq!(pick("*"), None);
    assert_eq!(pick("fr, ja"), None);
    assert_eq!(pick("de;q=2, en;q=abc, ar;q=0.1"), Some("ar"));
    assert_eq!(pick(""), None);
    assert_eq!(pick("AR-eg"), Some("ar"));
}

#[test]
fn tags_match_their_language_only() {
    assert_eq!(Locale::for_tag("de-CH").map(Locale::code), Some("de"));
    assert_eq!(Locale::for_tag("ar-SA").map(Locale::code), Some("ar"));
    assert_eq!(Locale::for_tag("english"), None);
    assert_eq!(Locale::for_tag("d"), None);
    assert_eq!(Locale::DEFAULT.dir(), Direction::Ltr);
    assert_eq!(Locale::from_code("ar").unwrap().dir(), Direction::Rtl);
}
