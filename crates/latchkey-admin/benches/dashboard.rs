//! The dashboard with 1,000,000 recorded sign-ins: how fast the daily
//! roll-up reads them from the audit log, and how long the page's numbers,
//! charts and HTML take once they are rolled up. SQLite (the default) in a
//! temporary file, or PostgreSQL when LATCHKEY_TEST_DATABASE_URL names one.
//!
//! `cargo bench -p latchkey-admin --bench dashboard [-- SIGN_INS]`

use std::time::{Duration, Instant};

use askama::Template as _;
use chrono::NaiveDate;
use latchkey_admin::dashboard::{DashboardPage, Numbers, charts};
use latchkey_store::{daily_counts, dashboard};
use latchkey_testkit::TestDb;

fn main() {
    let sign_ins: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let db = TestDb::new();
    let postgres = db.url_text.starts_with("postgres");
    let today = NaiveDate::from_ymd_opt(2030, 1, 30).unwrap();

    // Sign-ins over 60 days: one in ten refused (three reasons), the rest
    // by autofill, button and cross-device. The chain's hashes are not
    // needed to count, so rows are written in one statement.
    let started = Instant::now();
    let (series, day) = if postgres {
        (
            format!("SELECT generate_series(1, {sign_ins}) AS i"),
            "TIMESTAMP '2030-01-30 12:00:00' - ((i % 60) || ' days')::interval",
        )
    } else {
        (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {sign_ins}) SELECT i FROM n"
            ),
            "datetime('2030-01-30 12:00:00', '-' || (i % 60) || ' days')",
        )
    };
    let blob = if postgres { "'\\x00'::bytea" } else { "x'00'" };
    db.execute(&format!(
        "INSERT INTO audit_events (seq, id, occurred_at, kind, actor, subject, ip, detail, prev_hash, hash) \
         SELECT i, 'bench-' || i, {day}, \
           CASE WHEN i % 10 = 0 THEN 'sign_in.failed' ELSE 'sign_in.succeeded' END, \
           NULL, NULL, '127.0.0.1', \
           CASE WHEN i % 10 = 0 THEN \
             CASE i % 3 WHEN 0 THEN '{{\"reason\":\"credential_revoked\"}}' WHEN 1 THEN '{{\"reason\":\"clone_suspected\"}}' ELSE '{{\"reason\":\"account_disabled\"}}' END \
           ELSE \
             CASE i % 3 WHEN 0 THEN '{{\"flow\":\"autofill\"}}' WHEN 1 THEN '{{\"flow\":\"modal\"}}' ELSE '{{\"flow\":\"cross-device\"}}' END \
           END, {blob}, {blob} FROM ({series}) AS s"
    ));
    println!(
        "recorded {sign_ins} sign-ins in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        if postgres { "PostgreSQL" } else { "SQLite" }
    );

    let mut conn = db.db.get_blocking().expect("a connection");
    let started = Instant::now();
    daily_counts::roll_up_within(&mut conn, 5_000, usize::MAX).expect("roll-up");
    let took = started.elapsed();
    println!(
        "rolled up in {:.1} s ({:.0} events/s)",
        took.as_secs_f64(),
        sign_ins as f64 / took.as_secs_f64()
    );

    let render = |conn: &mut latchkey_store::DbConnection| {
        let from = today - chrono::Days::new(29);
        let current = daily_counts::roll_up_within(conn, 5_000, 20_000).unwrap();
        let n = Numbers {
            funnel: dashboard::funnel(conn).unwrap(),
            passkeys: dashboard::passkeys(conn).unwrap(),
            days: daily_counts::since(conn, from).unwrap(),
            requests: dashboard::requests_by_state(conn).unwrap(),
            median_completion: dashboard::median_completion(conn, 1_000).unwrap(),
            current,
        };
        let (facts, charts) = charts(&n, today, latchkey_i18n::Locale::DEFAULT);
        DashboardPage {
            chrome: latchkey_web::chrome::Chrome::fallback(),
            me: "bench".into(),
            facts,
            charts,
            catching_up: !current,
        }
        .render()
        .unwrap()
    };
    let html = render(&mut conn);
    assert!(
        html.contains("Sign-ins per day"),
        "the page has the sign-ins chart"
    );
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(render(&mut conn));
            t.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "dashboard (numbers, charts, HTML) over 200 renders: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(times[100]),
        ms(times[198]),
        ms(times[199])
    );
}
