//! Dates and times per language: a pattern (chrono's) and, where the
//! language names its months, the names. Times are shown in UTC, said so.

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

#[derive(Debug)]
pub(crate) struct DateStyle {
    /// `{month}` is replaced by the language's name of the month
    /// before chrono formats the rest.
    date: &'static str,
    datetime: &'static str,
    months: Option<[&'static str; 12]>,
}

pub(crate) const EN: DateStyle = DateStyle {
    date: "%Y-%m-%d",
    datetime: "%Y-%m-%d %H:%M UTC",
    months: None,
};

pub(crate) const DE: DateStyle = DateStyle {
    date: "%d.%m.%Y",
    datetime: "%d.%m.%Y, %H:%M UTC",
    months: None,
};

pub(crate) const AR: DateStyle = DateStyle {
    date: "%-d {month} %Y",
    // The time and "UTC" are kept together, left to right, inside the
    // right-to-left text (U+2066 LEFT-TO-RIGHT ISOLATE … U+2069).
    datetime: "%-d {month} %Y، \u{2066}%H:%M UTC\u{2069}",
    months: Some([
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]),
};

impl DateStyle {
    fn pattern(&self, pattern: &str, month: u32) -> String {
        match self.months {
            Some(names) => {
                let name = names[(month as usize).saturating_sub(1) % 12];
                pattern.replace("{month}", name)
            }
            None => pattern.to_owned(),
        }
    }

    pub(crate) fn datetime(&self, t: DateTime<Utc>) -> String {
        t.format(&self.pattern(self.datetime, t.month()))
            .to_string()
    }

    pub(crate) fn date(&self, d: NaiveDate) -> String {
        d.format(&self.pattern(self.date, d.month())).to_string()
    }
}
