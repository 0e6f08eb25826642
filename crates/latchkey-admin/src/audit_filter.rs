//! The audit page's query string, read into a store filter. Pure: every
//! value is checked here, and a bad one is a sentence for the page, never
//! echoed back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use latchkey_core::AuditEventKind;
use latchkey_store::audit_query::AuditFilter;
use serde::Deserialize;

/// The longest actor, subject or request value accepted.
const MAX_VALUE: usize = 100;

// Why a filter is refused (one sentence each, so that the page can show
// it in its language: `crate::error::in_language`).
pub(crate) const BAD_ACTOR: &str = "That is not a valid actor.";
pub(crate) const BAD_SUBJECT: &str = "That is not a valid subject.";
pub(crate) const BAD_REQUEST_ID: &str = "That is not a valid request id.";
pub(crate) const BAD_FROM: &str =
    "The from time is not a date (2026-12-01) or a date and time (2026-12-01T14:30).";
pub(crate) const BAD_UNTIL: &str =
    "The until time is not a date (2026-12-01) or a date and time (2026-12-01T14:30).";
pub(crate) const BAD_KIND: &str = "That is not a kind of audit event.";
pub(crate) const FROM_AFTER_UNTIL: &str = "The from time must be before the until time.";
pub(crate) const BAD_POSITION: &str = "That is not a position in the audit log.";

/// The query string as sent (every field optional, empty means unset).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub before: String,
}

/// What the page reads: the filter, and where a page of older events
/// starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub filter: AuditFilter,
    pub before: Option<i64>,
}

/// `refusal`: the sentence naming the field.
fn value(raw: &str, refusal: &'static str) -> Result<Option<String>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > MAX_VALUE || v.chars().any(char::is_control) {
        return Err(refusal.to_owned());
    }
    Ok(Some(v.to_owned()))
}

/// A time as a date (`2026-12-01`, midnight UTC) or as the browser's
/// date-and-time field gives it (`2026-12-01T14:30`, UTC), or RFC 3339.
fn time(raw: &str, refusal: &'static str) -> Result<Option<DateTime<Utc>>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let parsed = DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        });
    parsed.map(Some).ok_or_else(|| refusal.to_owned())
}

impl AuditQuery {
    /// The filter, or a sentence saying which value is wrong.
    pub fn parse(&self) -> Result<Parsed, String> {
        let kind = match self.kind.trim() {
            "" => None,
            k => Some(
                AuditEventKind::ALL
                    .iter()
                    .find(|known| known.as_str() == k)
                    .ok_or(BAD_KIND)?
                    .as_str()
                    .to_owned(),
            ),
        };
        let from = time(&self.from, BAD_FROM)?;
        let until = time(&self.until, BAD_UNTIL)?;
        if let (Some(f), Some(u)) = (from, until)
            && f >= u
        {
            return Err(FROM_AFTER_UNTIL.to_owned());
        }
        let before = match self.before.trim() {
            "" => None,
            b => Some(
                b.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(BAD_POSITION)?,
            ),
        };
        Ok(Parsed {
            filter: AuditFilter {
                kind,
                actor: value(&self.actor, BAD_ACTOR)?,
                subject: value(&self.subject, BAD_SUBJECT)?,
                from,
                until,
                request: value(&self.request, BAD_REQUEST_ID)?,
            },
            before,
        })
    }
}

/// The filter as a query string (without `before`), for links to older
/// pages and to the exports. Values are percent-encoded.
pub fn query_string(f: &AuditFilter) -> String {
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let pairs = [
        ("kind", f.kind.clone()),
        ("actor", f.actor.clone()),
        ("subject", f.subject.clone()),
        ("from", f.from.map(fmt)),
        ("until", f.until.map(fmt)),
        ("request", f.request.clone()),
    ];
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            out.append_pair(k, &v);
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> AuditQuery {
        let s = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        serde_urlencoded_like(&s)
    }

    /// Reads a query string the way actix's `Query` does (serde over
    /// form-encoding).
    fn serde_urlencoded_like(s: &str) -> AuditQuery {
        let mut out = AuditQuery::default();
        for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
            let v = v.into_owned();
            match &*k {
                "kind" => out.kind = v,
                "actor" => out.actor = v,
                "subject" => out.subject = v,
                "from" => out.from = v,
                "until" => out.until = v,
                "request" => out.request = v,
                "before" => out.before = v,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn an_empty_query_is_the_whole_log() {
        assert_eq!(
            q(&[]).parse().unwrap(),
            Parsed {
                filter: AuditFilter::default(),
                before: None
            }
        );
    }

    #[test]
    fn values_are_read_and_round_trip_through_the_query_string() {
        let parsed = q(&[
            ("kind", "sign_in.failed"),
            ("actor", " ada "),
            ("from", "2026-12-01"),
            ("until", "2026-12-02T14:30"),
            ("request", "a&b=c"),
            ("before", "42"),
        ])
        .parse()
        .unwrap();
        assert_eq!(parsed.before, Some(42));
        assert_eq!(parsed.filter.actor.as_deref(), Some("ada"));
        assert_eq!(
            parsed.filter.from.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        let again = serde_urlencoded_like(&query_string(&parsed.filter))
            .parse()
            .unwrap();
        assert_eq!(again.filter, parsed.filter);
        assert_eq!(again.before, None);
    }

    #[test]
    fn bad_values_are_sentences_that_do_not_echo_them() {
        for (pairs, says) in [
            (vec![("kind", "<script>")], "not a kind of audit event"),
            (vec![("from", "yesterday<b>")], "from time"),
            (vec![("until", "2026-13-01")], "until time"),
            (
                vec![("from", "2026-12-02"), ("until", "2026-12-01")],
                "must be before",
            ),
            (vec![("before", "-3")], "not a position"),
            (vec![("before", "x")], "not a position"),
            (vec![("actor", "a\u{0}b")], "not a valid actor"),
            (vec![("subject", &"x".repeat(101))], "not a valid subject"),
        ] {
            let err = q(&pairs).parse().unwrap_err();
            assert!(err.contains(says), "{pairs:?}: {err}");
            assert!(!err.contains('<') && !err.contains("xxxx"), "{err}");
        }
    }
}
