#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod dates;
mod negotiate;

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use negotiate::{Preferences, accept_language, negotiate};

/// Which way a language is written: `<html dir="..">`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltr => "ltr",
            Self::Rtl => "rtl",
        }
    }
}

/// One shipped language.
#[derive(Debug)]
pub struct Language {
    /// The BCP 47 tag (`de`), also the folder under `locales/`.
    pub code: &'static str,
    /// Its own name for itself, for the language select.
    pub name: &'static str,
    pub dir: Direction,
    /// The text of its message files, in [`FILES`] order.
    sources: [&'static str; FILES.len()],
    dates: dates::DateStyle,
}

/// The message files every language has (`locales/<code>/<file>.ftl`).
pub const FILES: [&str; 7] = [
    "common",
    "pages",
    "account",
    "recovery",
    "notices",
    "console",
    "console-requests",
];

/// The message files of language `$code`, embedded at compile time.
macro_rules! ftl {
    ($code:literal) => {
        [
            include_str!(concat!("../../../locales/", $code, "/common.ftl")),
            include_str!(concat!("../../../locales/", $code, "/pages.ftl")),
            include_str!(concat!("../../../locales/", $code, "/account.ftl")),
            include_str!(concat!("../../../locales/", $code, "/recovery.ftl")),
            include_str!(concat!("../../../locales/", $code, "/notices.ftl")),
            include_str!(concat!("../../../locales/", $code, "/console.ftl")),
            include_str!(concat!("../../../locales/", $code, "/console-requests.ftl")),
        ]
    };
}

/// The shipped languages: the one place a new language is added. The first
/// is the default and the reference every other is checked against.
pub static LANGUAGES: [Language; 3] = [
    Language {
        code: "en",
        name: "English",
        dir: Direction::Ltr,
        sources: ftl!("en"),
        dates: dates::EN,
    },
    Language {
        code: "de",
        name: "Deutsch",
        dir: Direction::Ltr,
        sources: ftl!("de"),
        dates: dates::DE,
    },
    Language {
        code: "ar",
        name: "العربية",
        dir: Direction::Rtl,
        sources: ftl!("ar"),
        dates: dates::AR,
    },
];

/// A shipped language, chosen for one page or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Locale(usize);

/// A value for a message's `{ $name }`.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Self::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Self::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a &'a str> for Arg<'a> {
    fn from(v: &'a &'a str) -> Self {
        Self::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a &'a String> for Arg<'a> {
    fn from(v: &'a &'a String) -> Self {
        Self::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Self::Text(Cow::Owned(v))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(v: $t) -> Self {
                Self::Number(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        impl From<&$t> for Arg<'_> {
            fn from(v: &$t) -> Self {
                Self::Number(i64::try_from(*v).unwrap_or(i64::MAX))
            }
        }
        impl From<&&$t> for Arg<'_> {
            fn from(v: &&$t) -> Self {
                Self::Number(i64::try_from(**v).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i64, i32, u32, u64, usize, u8, u16);

type Bundle = FluentBundle<FluentResource>;

/// The bundles, one per language, built once from the embedded files.
static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|lang| {
            let tag = lang.code.parse().unwrap_or_default();
            let mut bundle = Bundle::new_concurrent(vec![tag]);
            // Names and numbers go in as they are: the pages escape them,
            // and the tests compare text.
            bundle.set_use_isolating(false);
            for source in lang.sources {
                // A file that does not parse (caught by the tests) still
                // gives its good messages.
                let resource =
                    FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(resource);
            }
            bundle
        })
        .collect()
});

impl Locale {
    /// The default language (English).
    pub const DEFAULT: Self = Self(0);

    /// Every shipped language, the default first.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..LANGUAGES.len()).map(Self)
    }

    fn language(self) -> &'static Language {
        &LANGUAGES[self.0]
    }

    pub fn code(self) -> &'static str {
        self.language().code
    }

    /// Its own name ("Deutsch").
    pub fn name(self) -> &'static str {
        self.language().name
    }

    pub fn dir(self) -> Direction {
        self.language().dir
    }

    /// The shipped language with exactly this code (as stored on an
    /// account or in a cookie).
    pub fn from_code(code: &str) -> Option<Self> {
        LANGUAGES
            .iter()
            .position(|l| l.code.eq_ignore_ascii_case(code))
            .map(Self)
    }

    /// The language of an account's notices: its stored choice while that
    /// is still shipped, else the default.
    pub fn stored(code: Option<&str>) -> Self {
        code.and_then(Self::from_code).unwrap_or_default()
    }

    /// The shipped language a BCP 47 tag asks for: the exact language, or
    /// its primary subtag (`de-AT` is `de`).
    pub fn for_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim();
        if let Some(l) = Self::from_code(tag) {
            return Some(l);
        }
        let id: unic_langid::LanguageIdentifier = tag.parse().ok()?;
        Self::from_code(id.language.as_str())
    }

    /// The message `key` with no arguments.
    pub fn t(self, key: &str) -> String {
        self.format(key, &[])
    }

    /// The message `key` with its arguments. A key this language lacks
    /// falls back to English; one English lacks too gives the key itself
    /// (the tests see to it that neither happens).
    pub fn format(self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let fluent_args = (!args.is_empty()).then(|| {
            let mut a = FluentArgs::new();
            for (name, value) in args {
                match value {
                    Arg::Text(s) => a.set(*name, FluentValue::from(s.as_ref())),
                    Arg::Number(n) => a.set(*name, FluentValue::from(*n)),
                }
            }
            a
        });
        for bundle in [&BUNDLES[self.0], &BUNDLES[0]] {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, fluent_args.as_ref(), &mut errors)
                    .into_owned();
            }
        }
        key.to_owned()
    }

    /// Whether this language has the message `key` itself.
    pub fn has(self, key: &str) -> bool {
        BUNDLES[self.0].has_message(key)
    }

    /// A moment (UTC) written the way this language writes dates.
    pub fn datetime(self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.language().dates.datetime(t)
    }

    /// A day written the way this language writes dates.
    pub fn date(self, d: chrono::NaiveDate) -> String {
        self.language().dates.date(d)
    }

    /// The text of this language's message files (for the tests that
    /// compare languages).
    pub fn sources(self) -> &'static [&'static str] {
        &self.language().sources
    }

    /// A stretch of time: "42 seconds", "42 minutes" (rounded up), "3 hours
    /// 5 minutes" under two days, then whole days.
    pub fn duration(self, d: chrono::Duration) -> String {
        let secs = d.num_seconds().max(0);
        let part = |key: &str, n: i64| self.format(key, &[("n", Arg::Number(n))]);
        match secs {
            0..60 => part("duration-seconds", secs),
            60..3600 => part("duration-minutes", (secs + 59) / 60),
            3600..172_800 => {
                let (h, m) = (secs / 3600, (secs % 3600) / 60);
                if m == 0 {
                    part("duration-hours", h)
                } else {
                    format!(
                        "{}{}{}",
                        part("duration-hours", h),
                        self.t("duration-joiner"),
                        part("duration-minutes", m)
                    )
                }
            }
            _ => part("duration-days", secs / 86_400),
        }
    }
}

/// Marks a message key kept as data (a page's heading chosen by its
/// handler) so that the key check finds it; returns the key.
pub const fn msg(key: &'static str) -> &'static str {
    key
}

/// Every supported code, default first (`ui_locales_supported`).
pub fn codes() -> Vec<String> {
    LANGUAGES.iter().map(|l| l.code.to_owned()).collect()
}

#[cfg(test)]
mod tests;
