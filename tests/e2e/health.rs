use latchkey_testkit::TestApp;

#[tokio::test]
async fn healthz_answers_ok_with_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-request-id"].to_str().unwrap().len(), 32);
    assert_eq!(res.text().await.unwrap(), "ok\n");
}

#[tokio::test]
async fn readyz_reports_database_and_session_store_ready() {
    let app = TestApp::spawn().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["session_store"], "ok");
}

#[tokio::test]
async fn metrics_serve_prometheus_text_counting_requests_by_route_pattern() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/no/such/page").await.status(), 404);
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains("# TYPE latchkey_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"latchkey_http_requests_total{method="GET",route="/healthz",status="2xx"} 1"#
        ),
        "{text}"
    );
    // Unknown paths are one label value, not one per path.
    assert!(text.contains(r#"route="unmatched",status="4xx""#), "{text}");
    assert!(!text.contains("/no/such/page"), "{text}");
}

fn request_series(metrics: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| l.starts_with("latchkey_http_request"))
        .map(|l| {
            l.rsplit_once(' ')
                .map_or(l, |(series, _)| series)
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn unique_methods_and_paths_add_no_metric_series() {
    let app = TestApp::spawn().await;
    let send = |method: &str, path: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.client.request(method, app.url(path)).send()
    };
    // One of each kind first, so every series that can exist exists.
    send("WARMUP", "/healthz").await.unwrap();
    send("WARMUP", "/no/such/page").await.unwrap();
    send("GET", "/no/such/page").await.unwrap();
    app.get("/metrics").await;
    let before = request_series(&app.get("/metrics").await.text().await.unwrap());
    for i in 0..300 {
        send(&format!("M{i}X"), "/healthz").await.unwrap();
        send(&format!("Q{i}Z"), &format!("/unique/{i}"))
            .await
            .unwrap();
        send("GET", &format!("/unique/get/{i}")).await.unwrap();
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    let after = request_series(&text);
    assert_eq!(before, after, "{text}");
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(
        !text.contains("M17X") && !text.contains("/unique/"),
        "{text}"
    );
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
}

#[tokio::test]
async fn first_start_records_instance_keys_bootstrap_link_and_policies_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let events = app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 50))
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().rev().map(|e| e.kind.as_str()).collect();
    // The test app is given LATCHKEY_MASTER_KEY-less config: the key is generated.
    assert_eq!(
        kinds,
        [
            "instance.initialised",
            "instance.master_key_created",
            "signing_key.created",
            "signing_key.created",
            "admin.bootstrap_issued",
            "recovery_policy.initialised"
        ]
    );
    assert!(app.data_dir.path().join("master.key").exists());
}

#[tokio::test]
async fn home_page_renders_without_inline_script() {
    let app = TestApp::spawn().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&app.address), "{html}");
    assert!(!html.contains("<script>"), "{html}");
}

#[tokio::test]
async fn home_page_shows_exactly_the_issuer_identifier_of_discovery() {
    let app = TestApp::spawn().await;
    let discovery: serde_json::Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    let issuer = discovery["issuer"].as_str().unwrap();
    assert_eq!(issuer, app.address);
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains(&format!("<code>{issuer}</code>")), "{html}");
    assert!(!html.contains(&format!("{issuer}/<")), "{html}");
}

#[tokio::test]
async fn metrics_need_the_bearer_token_when_one_is_configured() {
    let token = "0123456789abcdef0123456789abcdef";
    let app =
        TestApp::spawn_with([("LATCHKEY_METRICS_TOKEN".to_owned(), token.to_owned())].into()).await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 401);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    for wrong in [
        "Bearer 0123456789abcdef0123456789abcdeX",
        "Bearer 0123456789abcdef",
        &format!("Basic {token}"),
        &format!("Bearer {token}x"),
    ] {
        let res = app
            .client
            .get(app.url("/metrics"))
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{wrong}");
    }
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("latchkey_http_requests_total")
    );
}

#[tokio::test]
async fn metrics_on_their_own_address_are_not_served_on_the_public_one() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(
        [(
            "LATCHKEY_METRICS_LISTEN".to_owned(),
            format!("127.0.0.1:{port}"),
        )]
        .into(),
    )
    .await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/metrics").await.status(), 404);
    let res = app
        .client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"latchkey_http_requests_total{method="GET",route="/healthz",status="2xx"} 1"#
        ),
        "{text}"
    );
    // Nothing else is served there.
    let res = app
        .client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn every_response_carries_hsts_when_the_issuer_is_https() {
    let app = TestApp::spawn_with(
        [(
            "LATCHKEY_ISSUER".to_owned(),
            "https://id.localhost".to_owned(),
        )]
        .into(),
    )
    .await;
    for path in [
        "/healthz",
        "/",
        "/signin",
        "/static/latchkey.css",
        "/no/such/page",
        "/metrics",
        "/signin?next=/a&next=/b",
    ] {
        let res = app.get(path).await;
        assert_eq!(
            res.headers()
                .get("strict-transport-security")
                .map(|v| v.to_str().unwrap()),
            Some("max-age=63072000; includeSubDomains"),
            "{path}: {}",
            res.status()
        );
    }
    let res = app.client.post(app.url("/signout")).send().await.unwrap();
    assert!(res.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn no_hsts_is_sent_when_the_issuer_is_http() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/", "/no/such/page"] {
        let res = app.get(path).await;
        assert!(
            !res.headers().contains_key("strict-transport-security"),
            "{path}"
        );
    }
}

fn sets_csrf_cookie(res: &reqwest::Response) -> bool {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("__Host-latchkey_csrf="))
}

#[tokio::test]
async fn the_csrf_cookie_is_set_on_html_pages_only_never_on_public_responses() {
    let app = TestApp::spawn().await;
    for path in [
        "/.well-known/openid-configuration",
        "/jwks",
        "/static/latchkey.css",
        "/static/latchkey.js",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        // A new client each time: no cookie yet.
        let res = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(!sets_csrf_cookie(&res), "{path}");
    }
    let res = reqwest::get(app.url("/signin")).await.unwrap();
    assert!(sets_csrf_cookie(&res));
    let cache = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(!cache.contains("public"), "{cache}");
}
