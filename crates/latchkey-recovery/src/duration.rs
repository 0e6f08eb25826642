//! Durations in policy files: `"90s"`, `"30m"`, `"24h"`, `"7d"`, or a whole
//! number of seconds.

use chrono::Duration;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Parses `"<n>s|m|h|d"`. Refuses negative, empty and overflowing values.
pub fn parse(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = number.parse().ok().filter(|n| *n >= 0)?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }?;
    Duration::try_seconds(seconds)
}

/// The largest unit that states `d` exactly.
pub fn format(d: Duration) -> String {
    let s = d.num_seconds();
    match s {
        0 => "0s".to_owned(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*d))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Duration;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a duration such as \"90s\", \"30m\", \"24h\", \"7d\", or seconds")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
            parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
            (v >= 0)
                .then(|| Duration::try_seconds(v))
                .flatten()
                .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
            i64::try_from(v)
                .ok()
                .and_then(Duration::try_seconds)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit_and_format_back() {
        for (text, secs) in [
            ("0s", 0),
            ("90s", 90),
            ("30m", 1800),
            ("24h", 86_400),
            ("7d", 604_800),
        ] {
            let d = parse(text).unwrap();
            assert_eq!(d.num_seconds(), secs, "{text}");
        }
        assert_eq!(format(Duration::hours(72)), "3d");
        assert_eq!(format(Duration::hours(25)), "25h");
        assert_eq!(format(Duration::seconds(61)), "61s");
        for bad in ["", "h", "-1h", "1w", "1.5h", "99999999999999999d"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
