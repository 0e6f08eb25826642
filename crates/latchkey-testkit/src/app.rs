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
    /// The one-time link printed at start (no administrator exists yet).
    pub bootstrap_url: Option<String>,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    /// Starts the server with the backends the environment names.
    pub async fn spawn() -> Self {
        Self::spawn_with(BTreeMap::new()).await
    }

    /// Starts the server with extra `LATCHKEY_*` settings on top of the test
    /// defaults (e.g. a Redis URL of the test's own; `LATCHKEY_CONFIG`, a
    /// configuration file).
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
        // LATCHKEY_CONFIG names a configuration file, as for the binary.
        let file = env.get("LATCHKEY_CONFIG").map(std::path::PathBuf::from);
        let (config, _) = Config::from_sources(file.as_deref(), &env).expect("test configuration");
        // LATCHKEY_TEST_LOG=debug (an EnvFilter) shows the server's logs.
        if let Ok(filter) = std::env::var("LATCHKEY_TEST_LOG") {
            latchkey_server::logging::init(latchkey_server::config::LogFormat::Pretty, &filter);
        }

        let clock = TestClock::fixed();
        let app = Application::build_with_listener(config, Arc::new(clock.clone()), listener)
            .await
            .expect("building the application");
        let state = app.state().clone();
        let handle = app.handle();
        let bootstrap_url = app.bootstrap_url().map(str::to_owned);
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
            bootstrap_url,
            handle,
        }
    }

    /// A new browser: its own cookie jar, no redirects followed.
    pub fn browser(&self) -> Browser {
        self.browser_with(reqwest::Client::builder())
    }

    /// A new browser whose connections come from `local`, another loopback
    /// address (`127.0.0.2`, …): a different client for the server's
    /// per-address rate limits.
    pub fn browser_from(&self, local: std::net::IpAddr) -> Browser {
        self.browser_with(reqwest::Client::builder().local_address(local))
    }

    /// A new browser that sends this User-Agent.
    pub fn browser_as(&self, user_agent: &str) -> Browser {
        self.browser_with(reqwest::Client::builder().user_agent(user_agent))
    }

    fn browser_with(&self, builder: reqwest::ClientBuilder) -> Browser {
        Browser {
            base: self.address.clone(),
            client: builder
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("building the HTTP client"),
            csrf: None,
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

/// A browser for one test: keeps cookies and the CSRF token of its pages,
/// and posts JSON the way the pages' script does.
#[derive(Debug, Clone)]
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    csrf: Option<String>,
}

/// A JSON answer: status and body.
#[derive(Debug, Clone)]
pub struct JsonReply {
    pub status: u16,
    pub body: serde_json::Value,
    pub headers: reqwest::header::HeaderMap,
}

impl JsonReply {
    /// The `error` code of an error body.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// GETs a page and remembers the CSRF token in its meta tag.
    pub async fn page(&mut self, path: &str) -> (u16, String) {
        let res = self.client.get(self.url(path)).send().await.expect("GET");
        let status = res.status().as_u16();
        let html = res.text().await.expect("body");
        if let Some(token) = html
            .split("<meta name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .filter(|t| !t.is_empty())
        {
            self.csrf = Some(token.to_owned());
        }
        (status, html)
    }

    /// The CSRF token (loading the sign-in page first if none is known yet).
    pub async fn csrf(&mut self) -> String {
        if self.csrf.is_none() {
            self.page("/signin").await;
        }
        self.csrf.clone().expect("a CSRF token in the page")
    }

    /// POSTs JSON with the CSRF header, as the pages' script does.
    pub async fn post_json(&mut self, path: &str, body: &serde_json::Value) -> JsonReply {
        let csrf = self.csrf().await;
        let res = self
            .client
            .post(self.url(path))
            .header("x-csrf-token", csrf)
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.json().await.unwrap_or(serde_json::Value::Null);
        JsonReply {
            status,
            body,
            headers,
        }
    }

    /// POSTs a form with the CSRF field; returns status and Location.
    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Option<String>, String) {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let res = self
            .client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("POST");
        reply(res).await
    }

    /// POSTs a `multipart/form-data` form with this browser's CSRF token
    /// first, then `fields`, then `file` as a file part `(field, bytes)`.
    /// Returns the status, the `Location` header and the body.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> (u16, Option<String>, String) {
        let csrf = self.csrf().await;
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                name.to_owned(),
                reqwest::multipart::Part::bytes(bytes).file_name("upload"),
            );
        }
        let res = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("POST");
        reply(res).await
    }
}

/// A response as the tests look at it: status, `Location` and body.
pub async fn reply(res: reqwest::Response) -> (u16, Option<String>, String) {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location, res.text().await.unwrap_or_default())
}
