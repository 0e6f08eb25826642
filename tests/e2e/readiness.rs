use std::collections::BTreeMap;
use std::time::Duration;

use latchkey_testkit::TestApp;

use crate::support::{PrivateRedis, eventually};

async fn readyz(app: &TestApp) -> (u16, serde_json::Value) {
    let res = app.get("/readyz").await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_names_the_session_store_while_redis_is_down_and_recovers_without_restart() {
    let mut redis = PrivateRedis::start();
    let mut overrides = BTreeMap::new();
    overrides.insert("LATCHKEY_REDIS_URL".to_owned(), redis.url());
    let app = TestApp::spawn_with(overrides).await;
    assert_eq!(app.state.sessions.backend_name(), "redis");

    assert_eq!(readyz(&app).await.0, 200);

    redis.stop();
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["failing"], serde_json::json!(["session_store"]));
    assert_eq!(body["checks"]["database"], "ok");
    assert_ne!(body["checks"]["session_store"], "ok");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("latchkey_ready 0"), "{metrics}");

    redis.restart();
    let recovered = eventually(Duration::from_secs(15), || async {
        readyz(&app).await.0 == 200
    })
    .await;
    assert!(recovered, "readiness did not recover after Redis came back");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("latchkey_ready 1"), "{metrics}");
}
