//! The bad-input corpus: every class of bad input the server handles, sent
//! to the real server one case at a time. Each case must get the protocol's
//! error (status and `error` code at the OAuth endpoints and the JSON
//! endpoints, the error page for pages) and change nothing: no new row in
//! any table (the tables are listed from the schema) except the audit event
//! that records the refusal (and, for a replayed code or refresh token, the
//! revocation of what it issued), and no growth of the session store.
//!
//! The cases are a table (`cases.rs`): a name, a request as data, what must
//! come back, and the one audit event or rate-limit count the refusal itself
//! may leave. To cover a new class, add a function there and name the class
//! in [`cases::CLASSES`].

mod cases;
mod fixture;
mod request;

use std::collections::BTreeMap;

use latchkey_session::Entries;

use crate::oidc::REDIRECT_URI;
use fixture::Fixture;
use request::{Reply, Request};

/// What a refusal must look like.
#[derive(Debug, Clone)]
pub enum Expect {
    /// An OAuth error in JSON (RFC 6749 §5.2, RFC 6750 §3): status and `error`.
    OAuth(u16, &'static str),
    /// The JSON error of the pages' endpoints: status and `error`.
    Api(u16, &'static str),
    /// The site's HTML error page, with this status.
    Page(u16),
    /// `303` to the client's redirect URI with this `error`, and `iss`.
    ClientError(&'static str),
    /// A page (`200`) whose script goes on to exactly this path.
    DataNext(&'static str),
    /// A page (`200`) that links on to this path and names no other host.
    LinksTo(&'static str),
    /// Only a status: refused before the application saw the request.
    Status(u16),
}

/// One bad input.
#[derive(Debug, Clone)]
pub struct Case {
    /// One of [`cases::CLASSES`].
    pub class: &'static str,
    pub name: String,
    pub request: Request,
    pub expect: Expect,
    /// The audit event the refusal records, if it records one.
    pub audited: Option<&'static str>,
    /// The refusal counts against a rate limit (a counter may appear).
    pub counted: bool,
    /// The refusal revokes what a replayed credential issued: it must add
    /// revocation records (and nothing else but its audit events).
    pub revokes: bool,
    /// Text from the request that must not become a metric label.
    pub not_in_metrics: Option<String>,
}

impl Case {
    pub fn new(
        class: &'static str,
        name: impl Into<String>,
        request: Request,
        expect: Expect,
    ) -> Self {
        Self {
            class,
            name: name.into(),
            request,
            expect,
            audited: None,
            counted: false,
            revokes: false,
            not_in_metrics: None,
        }
    }

    pub fn audited(mut self, kind: &'static str) -> Self {
        self.audited = Some(kind);
        self
    }

    pub fn revokes(mut self) -> Self {
        self.revokes = true;
        self
    }

    pub fn counted(mut self) -> Self {
        self.counted = true;
        self
    }

    pub fn not_in_metrics(mut self, text: impl Into<String>) -> Self {
        self.not_in_metrics = Some(text.into());
        self
    }
}

/// The session store's own tables (SQL backend): compared through the
/// session-store API instead, the same on Redis.
const SESSION_TABLES: [&str; 3] = ["browser_sessions", "ephemeral_values", "rate_counters"];
const AUDIT_TABLE: &str = "audit_events";
/// Revoked access tokens: a replayed code or refresh token revokes what it
/// issued ([`Case::revokes`]).
const REVOCATION_TABLE: &str = "token_revocations";
/// Roll-ups of the audit log that the background worker writes whenever it
/// runs (the dashboard's sign-ins per day): the audit log itself is
/// compared, and the worker may fold in events from before the case.
const ROLLUP_TABLES: [&str; 2] = ["daily_counts", "rollup_cursors"];

/// Everything a request could leave behind.
struct Snapshot {
    rows: BTreeMap<String, i64>,
    store: Entries,
    last_audit: i64,
}

async fn snapshot(fx: &Fixture) -> Snapshot {
    let mut rows = fx.app.db.row_counts().await;
    rows.retain(|table, _| {
        !SESSION_TABLES.contains(&table.as_str()) && !ROLLUP_TABLES.contains(&table.as_str())
    });
    let store = fx.app.state.sessions.count_entries().await.unwrap();
    let last_audit = recent_audit(fx).await.first().map_or(0, |e| e.0);
    Snapshot {
        rows,
        store,
        last_audit,
    }
}

/// The latest audit events, newest first: `(seq, kind)`.
async fn recent_audit(fx: &Fixture) -> Vec<(i64, String)> {
    fx.app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 20))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.kind))
        .collect()
}

fn is_page(reply: &Reply) -> bool {
    reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html"))
        && reply.body.contains("<html")
}

/// Whether `reply` is what `expect` asks for.
fn check_reply(expect: &Expect, reply: &Reply, issuer: &str) -> Result<(), String> {
    let status = reply.status;
    let ok = match expect {
        Expect::OAuth(code, error) | Expect::Api(code, error) => {
            status == *code && reply.json_error().as_deref() == Some(*error)
        }
        Expect::Page(code) => status == *code && is_page(reply),
        Expect::ClientError(error) => {
            let location = reply.header("location").unwrap_or_default();
            let params: BTreeMap<String, String> = url::Url::parse(location)
                .map(|u| u.query_pairs().into_owned().collect())
                .unwrap_or_default();
            status == 303
                && location.starts_with(&format!("{REDIRECT_URI}?"))
                && params.get("error").map(String::as_str) == Some(*error)
                && params.get("iss").map(String::as_str) == Some(issuer)
                && !params.contains_key("code")
        }
        Expect::DataNext(next) => {
            status == 200 && reply.body.contains(&format!("data-next=\"{next}\""))
        }
        Expect::LinksTo(path) => {
            status == 200
                && reply.body.contains(&format!("href=\"{path}\""))
                && !reply.body.contains("evil.example")
        }
        Expect::Status(code) => status == *code,
    };
    if ok {
        Ok(())
    } else {
        let body: String = reply.body.chars().take(300).collect();
        Err(format!(
            "expected {expect:?}, got {status} location={:?} body={body:?}",
            reply.header("location")
        ))
    }
}

/// Whether anything was left behind between `before` and `after`.
fn check_effects(
    case: &Case,
    before: &Snapshot,
    after: &Snapshot,
    new_audit: &[String],
) -> Result<(), String> {
    let mut problems = Vec::new();
    for (table, &n) in &after.rows {
        let was = before.rows.get(table).copied().unwrap_or(0);
        if table == REVOCATION_TABLE && case.revokes {
            if n <= was {
                problems.push(format!("{table}: no revocation recorded ({was} rows)"));
            }
            continue;
        }
        let allowed = if table == AUDIT_TABLE {
            i64::try_from(new_audit.len()).unwrap_or(i64::MAX)
        } else {
            0
        };
        if n != was + allowed {
            problems.push(format!("{table}: {was} rows before, {n} after"));
        }
    }
    match (case.audited, new_audit) {
        (None, []) => {}
        (Some(kind), events) if !events.is_empty() && events.iter().all(|k| k == kind) => {}
        (expected, events) => problems.push(format!(
            "audit events {events:?}, expected {}",
            expected.map_or("none".to_owned(), |k| format!("one or more {k}"))
        )),
    }
    let (b, a) = (before.store, after.store);
    if a.sessions > b.sessions || a.values > b.values {
        problems.push(format!("the session store grew: {b:?} -> {a:?}"));
    }
    if a.counters > b.counters + u64::from(case.counted) {
        problems.push(format!("rate-limit counters grew: {b:?} -> {a:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

async fn run(fx: &mut Fixture, case: &Case) -> Result<(), String> {
    let before = snapshot(fx).await;
    let reply = case.request.send(fx.browser(case.request.who)).await;
    let issuer = fx.app.address.clone();
    let mut failures = Vec::new();
    if let Err(e) = check_reply(&case.expect, &reply, &issuer) {
        failures.push(e);
    }
    let after = snapshot(fx).await;
    let new_audit: Vec<String> = recent_audit(fx)
        .await
        .into_iter()
        .filter(|(seq, _)| *seq > before.last_audit)
        .map(|(_, kind)| kind)
        .collect();
    if let Err(e) = check_effects(case, &before, &after, &new_audit) {
        failures.push(e);
    }
    if let Some(text) = &case.not_in_metrics {
        let metrics = fx.app.get("/metrics").await.text().await.unwrap();
        if metrics.contains(text.as_str()) {
            failures.push(format!("{text:?} became a metric label"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

#[tokio::test]
async fn every_bad_input_gets_the_protocols_error_and_leaves_nothing_behind() {
    let mut fx = Fixture::new().await;
    let corpus = cases::corpus(&mut fx).await;

    let mut names: Vec<&str> = corpus.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), corpus.len(), "case names are unique");
    for class in cases::CLASSES {
        assert!(
            corpus.iter().any(|c| c.class == class),
            "no case of the class {class}"
        );
    }
    assert!(
        corpus.iter().all(|c| cases::CLASSES.contains(&c.class)),
        "every case names a listed class"
    );

    let mut ran = 0;
    let mut failures = Vec::new();
    for case in &corpus {
        if let Err(why) = run(&mut fx, case).await {
            failures.push(format!("[{}] {}: {why}", case.class, case.name));
        }
        ran += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        ran >= corpus.len(),
        "{ran} cases ran of {} in the table",
        corpus.len()
    );
    println!("bad-input corpus: {ran} cases, all refused without side effects");
}
