//! The dashboard: its numbers equal counts computed from what was recorded,
//! across the daily roll-up, and it is for administrators only.

use chrono::Duration;
use latchkey_core::{AuditEventKind, Clock as _};
use latchkey_store::audit::NewAuditEvent;
use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use crate::people::{bootstrap_admin, invited_user};

/// Records `n` sign-in events of `kind` with `detail`, `days` days from now.
async fn record(
    app: &TestApp,
    days: i64,
    kind: AuditEventKind,
    detail: serde_json::Value,
    n: usize,
) {
    let (audit, now) = (
        app.state.audit.clone(),
        app.clock.now() + Duration::days(days),
    );
    app.state
        .db
        .run(move |c| {
            for _ in 0..n {
                audit.append(c, now, &NewAuditEvent::new(kind).detail(detail.clone()))?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// The value of a fact on the page.
fn fact(html: &str, label: &str) -> String {
    html.split(&format!("<dt>{label}</dt><dd>"))
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("no fact {label:?} in {html}"))
        .to_owned()
}

/// A chart's table rows as `(first cell, other cells)`.
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let section = html
        .split(&format!("<section class=\"chart\" id=\"{id}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no chart {id}"))
        .split("</section>")
        .next()
        .unwrap();
    let Some(body) = section.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    body.split("</tbody>")
        .next()
        .unwrap()
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("\">")
                .skip(1)
                .map(|cell| cell.split('<').next().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_dashboards_numbers_equal_the_recorded_events() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let _bob = invited_user(&app, "bob").await;
    let mut eve = invited_user(&app, "eve").await;
    let (status, _) = eve.browser.page("/admin/dashboard").await;
    assert_eq!(status, 403);

    // Three days of sign-ins and refusals, on top of the enrolments' own.
    let ok = AuditEventKind::SignInSucceeded;
    let refused = AuditEventKind::SignInFailed;
    record(&app, -2, ok, serde_json::json!({"flow": "autofill"}), 7).await;
    record(
        &app,
        -2,
        refused,
        serde_json::json!({"reason": "credential_revoked"}),
        2,
    )
    .await;
    record(&app, -1, ok, serde_json::json!({"flow": "modal"}), 4).await;
    record(&app, -1, ok, serde_json::json!({"flow": "cross-device"}), 1).await;
    // The dashboard rolls up what was recorded so far…
    let (status, _) = ada.browser.page("/admin/dashboard").await;
    assert_eq!(status, 200);
    // …and what comes after it, counted once.
    record(&app, 0, ok, serde_json::json!({"flow": "autofill"}), 3).await;
    record(
        &app,
        0,
        refused,
        serde_json::json!({"reason": "clone_suspected"}),
        1,
    )
    .await;
    record(
        &app,
        0,
        refused,
        serde_json::json!({"reason": "credential_revoked"}),
        1,
    )
    .await;
    // Older than the 30 days shown: not counted.
    record(&app, -40, ok, serde_json::json!({"flow": "modal"}), 5).await;

    let (status, html) = ada.browser.page("/admin/dashboard").await;
    assert_eq!(status, 200, "{html}");

    let today = app.clock.now().date_naive();
    let from = today - Duration::days(29);
    let in_range = |e: &latchkey_store::audit::AuditEvent| e.occurred_at.date() >= from;
    let succeeded: Vec<_> = events_of_kind(&app, "sign_in.succeeded").await;
    let failed: Vec<_> = events_of_kind(&app, "sign_in.failed").await;
    let expected_ok = succeeded.iter().filter(|e| in_range(e)).count();
    let expected_refused = failed.iter().filter(|e| in_range(e)).count();
    assert!(expected_ok >= 15 && expected_refused == 4);
    assert_eq!(
        fact(&html, "Sign-ins, last 30 days"),
        expected_ok.to_string()
    );
    assert_eq!(
        fact(&html, "Refused sign-ins, last 30 days"),
        expected_refused.to_string()
    );

    // Per day and flow, as the table under the chart says.
    let rows = table(&html, "sign-ins");
    let sum: usize = rows
        .iter()
        .map(|r| {
            r[1..5]
                .iter()
                .map(|c| c.parse::<usize>().unwrap())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(sum, expected_ok, "{rows:?}");
    let day = |d: chrono::NaiveDate| {
        rows.iter()
            .find(|r| r[0] == d.format("%Y-%m-%d").to_string())
            .cloned()
            .unwrap_or_else(|| panic!("no row for {d} in {rows:?}"))
    };
    let two_ago = day(today - Duration::days(2));
    assert_eq!((two_ago[1].as_str(), two_ago[5].as_str()), ("7", "2"));
    let yesterday = day(today - Duration::days(1));
    assert_eq!((yesterday[2].as_str(), yesterday[3].as_str()), ("4", "1"));

    assert_eq!(
        table(&html, "failures"),
        vec![
            vec!["credential_revoked".to_owned(), "3".to_owned()],
            vec!["clone_suspected".to_owned(), "1".to_owned()],
        ]
    );
    // The funnel from the accounts: three enrolled, two invitations.
    let funnel = table(&html, "funnel");
    assert_eq!(funnel[0], ["Invited", "2"]);
    assert_eq!(funnel[1], ["Enrolled", "3"]);

    // Reloading counts nothing twice.
    let (_, again) = ada.browser.page("/admin/dashboard").await;
    assert_eq!(
        fact(&again, "Sign-ins, last 30 days"),
        expected_ok.to_string()
    );
}
