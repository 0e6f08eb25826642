//! The real server on port 0, with a fixed clock and its own database.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::Arc;

use latchkey_core::TestClock;
use latchkey_server::{Application, Config};
use latchkey_web::AppState;

use crate::db::TestDb;
use crate::sessions::test_redis_url;

/// A running server for one test. Stopped when dropped.
#[derive(Debug)]
pub struct TestApp {
    /// `http://localhost:PORT` (localhost, not 127.0.0.1: WebAuthn needs a
    /// secure context).
    pub address: String,
    pub port: u16,
    pub clock: TestClock,
    /// An HTTP client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    pub state: AppState,
    pub db: TestDb,
    pub data_dir: tempfile::TempDir,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    /// Starts the server with the backends the environment names.
    pub async fn spawn() -> Self {
        Self::spawn_with(BTreeMap::new()).await
    }

    /// Starts the server with extra `LATCHKEY_*` settings on top of the test
    /// defaults (e.g. a Redis URL of the test's own).
    pub async fn spawn_with(overrides: BTreeMap<String, String>) -> Self {
        let db = tokio::task::spawn_blocking(TestDb::new)
            .await
            .expect("creating the test database");
        let data_dir = tempfile::tempdir().expect("creating a data directory");
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding port 0");
        let port = listener.local_addr().expect("local address").port();
        let address = format!("http://localhost:{port}");

        let mut env = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            env.insert(k.to_owned(), v);
        };
        set("LATCHKEY_LISTEN", format!("127.0.0.1:{port}"));
        set("LATCHKEY_ISSUER", address.clone());
        set("LATCHKEY_DATA_DIR", data_dir.path().display().to_string());
        set("LATCHKEY_DATABASE_URL", db.url_text.clone());
        set("LATCHKEY_DATABASE_POOL_SIZE", "4".into());
        set("LATCHKEY_LOG", "warn".into());
        if let Some(url) = test_redis_url() {
            set("LATCHKEY_REDIS_URL", url);
            set(
                "LATCHKEY_REDIS_PREFIX",
                format!("lktest:{}:", uuid::Uuid::new_v4().simple()),
            );
        }
        env.extend(overrides);
        let (config, _) = Config::from_sources(None, &env).expect("test configuration");

        let clock = TestClock::fixed();
        let app = Application::build_with_listener(config, Arc::new(clock.clone()), listener)
            .await
            .expect("building the application");
        let state = app.state().clone();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());

        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("building the HTTP client");
        Self {
            address,
            port,
            clock,
            client,
            state,
            db,
            data_dir,
            handle,
        }
    }

    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("sending the request")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Fire and forget: the runtime may already be shutting down.
        let handle = self.handle.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { handle.stop(false).await });
        }
    }
}
