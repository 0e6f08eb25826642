//! Every scenario against the real server (on port 0, with its own
//! database), a few operations each, without a single error.

use std::sync::Arc;
use std::time::Duration;

use latchkey_core::{Clock as _, PlainToken, TestClock, TokenKind};
use latchkey_loadgen::provision::{BoxFuture, ClientCredentials, ClientSpec, Provision};
use latchkey_loadgen::{Bounds, RunConfig, Scenario, Target};
use latchkey_oidc::clients::{ClientRegistration, register};
use latchkey_testkit::TestApp;
use latchkey_web::AppState;

/// Invitations and clients through the functions `latchkey user invite`
/// and `latchkey client create` call (the test has no `latchkey` binary of
/// its own to run).
struct InProcess {
    state: AppState,
    clock: TestClock,
    issuer: String,
}

impl Provision for InProcess {
    fn invite<'a>(&'a self, email: &'a str) -> BoxFuture<'a, anyhow::Result<String>> {
        Box::pin(async move {
            let token = PlainToken::generate(TokenKind::Invitation);
            let (hashed, email, now) = (token.hashed(), email.to_owned(), self.clock.now());
            self.state
                .db
                .run(move |c| {
                    latchkey_store::invitations::create(
                        c,
                        &email,
                        &hashed,
                        false,
                        None,
                        now,
                        now + chrono::Duration::days(1),
                    )
                })
                .await?;
            Ok(format!("{}/invite/{}", self.issuer, token.expose()))
        })
    }

    fn create_client<'a>(
        &'a self,
        spec: &'a ClientSpec,
    ) -> BoxFuture<'a, anyhow::Result<ClientCredentials>> {
        Box::pin(async move {
            let mut reg = ClientRegistration::new(&spec.name, vec![spec.redirect_uri.clone()]);
            reg.public = spec.public;
            reg.first_party = true;
            reg.id_token_alg = "ES256".into();
            let (audit, master, keys, now) = (
                self.state.audit.clone(),
                self.state.master.clone(),
                self.state.keys.clone(),
                self.clock.now(),
            );
            let (id, secret) = self
                .state
                .db
                .run(move |c| {
                    let created = register(c, &audit, "test", &reg, now);
                    let alg = latchkey_oidc::signing::SigningAlg::parse("ES256")
                        .expect("ES256 is an algorithm");
                    latchkey_oidc::keys::ensure_algorithm(c, &master, &audit, alg, now)
                        .expect("an ES256 key");
                    keys.reload(c, &master, now).expect("reloading the keys");
                    Ok(created)
                })
                .await?
                .map_err(|e| anyhow::anyhow!("registration refused: {e}"))?;
            Ok(ClientCredentials {
                id: id.as_str().to_owned(),
                secret: secret.map(|s| s.expose().to_owned()),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_against_the_real_server_without_errors() {
    let app = TestApp::spawn().await;
    let provision = Arc::new(InProcess {
        state: app.state.clone(),
        clock: app.clock.clone(),
        issuer: app.address.clone(),
    });
    let config = RunConfig {
        target: Target::parse(&app.address).unwrap(),
        scenarios: Scenario::all(),
        concurrency: vec![1, 3],
        bounds: Bounds::new(Some(12), Some(Duration::from_secs(60))).unwrap(),
        warmup: None,
        users: 6,
        enrol_parallel: 3,
        server_pid: Some(std::process::id()),
        rate: None,
        label: Some("test".into()),
    };
    let report = latchkey_loadgen::run(config, provision)
        .await
        .expect("the run prepares and completes");

    assert_eq!(report.users, 6);
    assert!(report.distinct_addresses, "users connect from 127.64.x.y");
    assert_eq!(report.segments.len(), 8 * 2);
    for s in &report.segments {
        assert_eq!(
            s.errors, 0,
            "{} × {}: {:?}",
            s.scenario, s.concurrency, s.errors_by_kind
        );
        assert_eq!(s.ops, 12, "{} × {}", s.scenario, s.concurrency);
        let latency = s.latency.expect("latencies");
        assert!(latency.p50_us <= latency.p99_us && latency.p99_us <= latency.max_us);
        let server = s.server.as_ref().expect("server usage (this process)");
        assert!(server.peak_rss_bytes > 0);
    }
    let mixed = report
        .segments
        .iter()
        .find(|s| s.scenario == "mixed" && s.concurrency == 3)
        .unwrap();
    assert!(
        mixed.operations.len() >= 5,
        "a blend of operations: {:?}",
        mixed.operations.keys()
    );
    let table = latchkey_loadgen::stats::table(&report.segments);
    assert!(table.contains("client-credentials"), "{table}");
}

#[tokio::test]
async fn a_server_whose_issuer_differs_from_the_base_url_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let provision = Arc::new(InProcess {
        state: app.state.clone(),
        clock: app.clock.clone(),
        issuer: app.address.clone(),
    });
    let config = RunConfig {
        target: Target::parse(&format!("http://127.0.0.1:{}", app.port)).unwrap(),
        scenarios: vec![Scenario::mixed()],
        concurrency: vec![1],
        bounds: Bounds::new(Some(1), None).unwrap(),
        warmup: None,
        users: 1,
        enrol_parallel: 1,
        server_pid: None,
        rate: None,
        label: None,
    };
    let err = latchkey_loadgen::run(config, provision).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("pass --base-url http://localhost:"),
        "{err:#}"
    );
}

#[tokio::test]
async fn paced_sign_ins_start_on_schedule() {
    let app = TestApp::spawn().await;
    let provision = Arc::new(InProcess {
        state: app.state.clone(),
        clock: app.clock.clone(),
        issuer: app.address.clone(),
    });
    let config = RunConfig {
        target: Target::parse(&app.address).unwrap(),
        scenarios: vec![Scenario::parse_list("signin").unwrap().remove(0)],
        concurrency: vec![4],
        bounds: Bounds::new(Some(10), Some(Duration::from_secs(60))).unwrap(),
        warmup: None,
        users: 5,
        enrol_parallel: 2,
        server_pid: None,
        rate: Some(20.0),
        label: None,
    };
    let report = latchkey_loadgen::run(config, provision).await.unwrap();
    let s = &report.segments[0];
    assert_eq!((s.ops, s.errors), (10, 0), "{:?}", s.errors_by_kind);
    assert_eq!(s.rate_per_s, Some(20.0));
    // The tenth starts 450 ms after the first.
    assert!(s.elapsed_s >= 0.45, "{}", s.elapsed_s);
    assert!(s.label().contains("@20/s"));
}
