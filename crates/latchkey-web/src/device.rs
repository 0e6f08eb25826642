//! A person-readable name for the device behind a User-Agent ("Chrome on
//! macOS", "Safari on iPhone"), for the account page's list of sessions.
//! Pure and forgiving: anything not recognised reads as "Unknown browser"
//! or "unknown system"; it never fails.

use latchkey_i18n::{Arg, Locale, msg};

/// "Browser on system", e.g. "Firefox on Linux".
pub fn describe(user_agent: &str) -> String {
    describe_in(Locale::DEFAULT, user_agent)
}

/// [`describe`] in `locale` ("Firefox unter Linux"): the names of
/// browsers and systems are their own in every language.
pub fn describe_in(locale: Locale, user_agent: &str) -> String {
    let ua = user_agent.trim();
    if ua.is_empty() {
        return locale.t(msg("device-unknown"));
    }
    let browser =
        browser(ua).map_or_else(|| locale.t(msg("device-unknown-browser")), str::to_owned);
    let system = system(ua).map_or_else(|| locale.t(msg("device-unknown-system")), str::to_owned);
    locale.format(
        msg("device-name"),
        &[
            ("browser", Arg::from(browser)),
            ("system", Arg::from(system)),
        ],
    )
}

/// The browser. Order matters: Chromium-based browsers also name Chrome
/// and Safari, Chrome names Safari, and on iOS every browser is WebKit but
/// says which app it is (`CriOS`, `FxiOS`, `EdgiOS`).
fn browser(ua: &str) -> Option<&'static str> {
    const KNOWN: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Vivaldi/", "Vivaldi"),
        ("YaBrowser/", "Yandex Browser"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    KNOWN
        .iter()
        .find(|(token, _)| ua.contains(token))
        .map(|(_, name)| *name)
}

/// The operating system, or the device for phones and tablets.
fn system(ua: &str) -> Option<&'static str> {
    if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Macintosh") || ua.contains("Mac OS X") {
        Some("macOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, describe_in};
    use latchkey_i18n::Locale;

    #[test]
    fn the_name_follows_the_language_and_browsers_keep_their_own_names() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let de = Locale::from_code("de").unwrap();
        assert_eq!(describe_in(de, ua), "Firefox unter Linux");
        assert_eq!(describe_in(de, ""), "Unbekanntes Gerät");
        assert_eq!(
            describe_in(de, "curl/8.0"),
            "Unbekannter Browser unter unbekanntem System"
        );
        let ar = Locale::from_code("ar").unwrap();
        assert_eq!(describe_in(ar, ua), "Firefox على Linux");
    }

    #[test]
    fn real_user_agents_read_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows",
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
                "Samsung Internet on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome on iPhone",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
                "Firefox on iPad",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on ChromeOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
                "Opera on Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe(ua), expected, "{ua}");
        }
    }

    #[test]
    fn anything_else_is_named_without_failing() {
        assert_eq!(describe(""), "Unknown device");
        assert_eq!(describe("   "), "Unknown device");
        assert_eq!(describe("curl/8.5.0"), "Unknown browser on unknown system");
        assert_eq!(describe("reqwest/0.12 (Linux)"), "Unknown browser on Linux");
    }
}
