//! The console's audit log: administrators only, filters that narrow
//! exactly, paging by sequence, exports equal to the rows read directly,
//! and the chain check shown with the same verdict as `latchkey audit
//! verify`.

use latchkey_store::audit::AuditEvent;
use latchkey_store::audit_query::{self, AuditFilter, Walk};
use latchkey_testkit::TestApp;

use crate::people::{bootstrap_admin, invited_user};

async fn rows(app: &TestApp, filter: AuditFilter) -> Vec<AuditEvent> {
    app.state
        .db
        .run(move |c| audit_query::search(c, &filter, Walk::After(None), 100_000))
        .await
        .unwrap()
}

/// Every event of one kind, oldest first.
pub(crate) async fn events_of_kind(app: &TestApp, kind: &str) -> Vec<AuditEvent> {
    rows(
        app,
        AuditFilter {
            kind: Some(kind.into()),
            ..Default::default()
        },
    )
    .await
}

async fn get(browser: &latchkey_testkit::Browser, path: &str) -> (u16, String, String) {
    let res = browser.client.get(browser.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.text().await.unwrap())
}

#[tokio::test]
async fn only_administrators_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let mut eve = invited_user(&app, "eve").await;
    let (status, html) = eve.browser.page("/admin/audit").await;
    assert_eq!(status, 403);
    assert!(!html.contains("id=\"audit\""), "{html}");
    let (status, _, body) = get(&eve.browser, "/admin/audit/export.jsonl").await;
    assert_eq!(status, 403);
    assert!(!body.contains("\"seq\""), "{body}");

    // An approver who is not an administrator: the request pages, not the log.
    let mut carol = invited_user(&app, "carol").await;
    let (id, now) = (carol.user_id, latchkey_core::Clock::now(&app.clock));
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, id, "approver", None, now))
        .await
        .unwrap();
    let (status, html) = carol.browser.page("/admin/audit").await;
    assert_eq!(status, 403);
    assert!(
        html.contains("The audit log is for administrators."),
        "{html}"
    );

    // Not signed in: the sign-in page, then back.
    let res = app.get("/admin/audit?kind=user.created").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/signin?next=%2Fadmin%2Faudit%3Fkind%3Duser.created"
    );

    // An administrator whose passkey confirmation is stale: step-up first.
    let ada = bootstrap_admin(&app).await;
    app.clock.advance(chrono::Duration::minutes(6));
    let res = ada
        .browser
        .client
        .get(ada.browser.url("/admin/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/stepup?next=%2Fadmin%2Faudit"
    );

    // Each refused attempt is recorded: who, where, why.
    let refused = events_of_kind(&app, "console.refused").await;
    let seen: Vec<(String, String)> = refused
        .iter()
        .map(|e| {
            let d: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            (
                e.actor.clone().unwrap(),
                format!(
                    "{} {}",
                    d["reason"].as_str().unwrap(),
                    d["path"].as_str().unwrap()
                ),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                eve.user_id.to_string(),
                "approver_required /admin/audit".to_owned()
            ),
            (
                eve.user_id.to_string(),
                "approver_required /admin/audit/export.jsonl".to_owned()
            ),
            (
                carol.user_id.to_string(),
                "admin_required /admin/audit".to_owned()
            ),
            (
                ada.user_id.to_string(),
                "step_up_required /admin/audit".to_owned()
            ),
        ]
    );
    assert!(refused.iter().all(|e| e.ip.is_some()));
}

#[tokio::test]
async fn filters_narrow_exactly_and_pages_go_back_by_sequence() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    for name in ["cyd", "dan"] {
        invited_user(&app, name).await;
    }
    let (status, html) = ada
        .browser
        .page("/admin/audit?kind=invitation.accepted")
        .await;
    assert_eq!(status, 200, "{html}");
    let want = events_of_kind(&app, "invitation.accepted").await;
    assert_eq!(want.len(), 3);
    assert_eq!(html.matches("<tr data-seq=").count(), 3, "{html}");
    for e in &want {
        assert!(
            html.contains(&format!("<tr data-seq=\"{}\"", e.seq)),
            "{html}"
        );
    }
    // Usernames, not ids, for accounts.
    assert!(html.contains(">bob<"), "{html}");

    // By subject: only bob's events.
    let (_, html) = ada
        .browser
        .page(&format!("/admin/audit?subject={}", bob.user_id))
        .await;
    let bobs = rows(
        &app,
        AuditFilter {
            subject: Some(bob.user_id.to_string()),
            ..Default::default()
        },
    )
    .await;
    assert!(!bobs.is_empty());
    assert_eq!(html.matches("<tr data-seq=").count(), bobs.len(), "{html}");

    // A time range that ends before anything happened: the empty state.
    let (status, html) = ada.browser.page("/admin/audit?until=2000-01-01").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"audit-empty\""), "{html}");

    // Paging: 50 newest, then the rest before the last one shown.
    let all = rows(&app, AuditFilter::default()).await;
    let mut seen = 0;
    let mut path = "/admin/audit".to_owned();
    loop {
        let (status, html) = ada.browser.page(&path).await;
        assert_eq!(status, 200);
        seen += html.matches("<tr data-seq=").count();
        match html
            .split("id=\"older\"")
            .next()
            .and_then(|h| h.rsplit("href=\"").next())
            .filter(|_| html.contains("id=\"older\""))
        {
            Some(href) => path = href.split('"').next().unwrap().replace("&amp;", "&"),
            None => break,
        }
    }
    // The pages read before the page views added events of their own: at
    // least every event there was at the start, each once.
    assert!(seen >= all.len(), "{seen} < {}", all.len());
}

#[tokio::test]
async fn a_bad_filter_is_a_sentence_that_reads_nothing_and_echoes_nothing() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    for q in [
        "kind=%3Cscript%3Ealert(1)%3C/script%3E",
        "from=yesterday%3Cb%3E",
        "from=2026-12-02&until=2026-12-01",
        "before=-1",
    ] {
        let (status, html) = ada.browser.page(&format!("/admin/audit?{q}")).await;
        assert_eq!(status, 400, "{q}: {html}");
        assert!(html.contains("id=\"filter-error\""), "{q}: {html}");
        assert!(!html.contains("<tr data-seq="), "{q}: {html}");
        assert!(!html.contains("<script>alert"), "{q}: {html}");
        assert!(!html.contains("<b>"), "{q}: {html}");
    }
    let (status, _, _) = get(&ada.browser, "/admin/audit/export.xml").await;
    assert_eq!(status, 404);
    let (status, _, _) = get(&ada.browser, "/admin/audit/export.csv?from=nope").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_export_equals_the_filtered_rows_read_directly_and_is_recorded() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    for name in ["bob", "cyd"] {
        invited_user(&app, name).await;
    }
    let filter = AuditFilter {
        kind: Some("invitation.accepted".into()),
        ..Default::default()
    };
    let want = rows(&app, filter.clone()).await;
    assert_eq!(want.len(), 2);

    let (status, kind, body) = get(
        &ada.browser,
        "/admin/audit/export.jsonl?kind=invitation.accepted",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("application/jsonl"), "{kind}");
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), want.len());
    for (line, row) in lines.iter().zip(&want) {
        assert_eq!(line["seq"], row.seq);
        assert_eq!(line["id"], row.id);
        assert_eq!(line["kind"], row.kind);
        assert_eq!(line["hash"], hex::encode(&row.hash));
        assert_eq!(
            line["detail"],
            serde_json::from_str::<serde_json::Value>(&row.detail).unwrap()
        );
    }

    let (status, kind, csv) = get(&ada.browser, "/admin/audit/export.csv").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let all = rows(&app, AuditFilter::default()).await;
    let mut records = csv.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        records.next().unwrap(),
        "seq,id,occurred_at,kind,actor,subject,ip,detail,prev_hash,hash"
    );
    // Every event up to the export's own record (made before it streams).
    let exported: Vec<i64> = records
        .map(|r| r.split(',').next().unwrap().parse().unwrap())
        .collect();
    let direct: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(exported, direct[..exported.len()]);
    assert_eq!(exported.len(), direct.len());

    // Both exports were recorded, with who and which range.
    let recorded = events_of_kind(&app, "audit.exported").await;
    assert_eq!(recorded.len(), 2);
    assert_eq!(
        recorded[0].actor.as_deref(),
        Some(&*ada.user_id.to_string())
    );
    assert!(
        recorded[0].detail.contains("kind=invitation.accepted"),
        "{}",
        recorded[0].detail
    );
}

#[tokio::test]
async fn verifying_the_chain_shows_the_same_verdict_as_the_command_line() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    invited_user(&app, "bob").await;
    ada.browser.page("/admin/audit").await;

    // Without the form's token: refused, nothing run.
    let res = ada
        .browser
        .client
        .post(ada.browser.url("/admin/audit/verify"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);

    let (status, _, html) = ada.browser.post_form("/admin/audit/verify", &[]).await;
    assert_eq!(status, 200, "{html}");
    let chain = app.state.audit.clone();
    let report = app.state.db.run(move |c| chain.verify(c)).await.unwrap();
    assert!(report.broken.is_none());
    assert!(html.contains(&report.summary()), "{html}");
    assert!(html.contains("audit chain intact"), "{html}");

    // A row changed behind the server's back: the page names it.
    let victim = rows(&app, AuditFilter::default()).await[2].seq;
    let changed = app.db.execute(&format!(
        "UPDATE audit_events SET ip = '203.0.113.66' WHERE seq = {victim}"
    ));
    assert_eq!(changed, 1);
    let (status, _, html) = ada.browser.post_form("/admin/audit/verify", &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "audit chain BROKEN: audit event #{victim} was changed"
        )),
        "{html}"
    );
}
