//! A corpus request as data: who sends it, the method, the address, the
//! headers and the body; and what came back.

use latchkey_testkit::Browser;
use reqwest::Method;

/// Whose browser sends the request (its cookies, its CSRF token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A browser nobody signed in to (also the relying party's server).
    Anonymous,
    /// The administrator, signed in.
    Ada,
    /// Another user, signed in.
    Bob,
}

/// The body of a request.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// `application/x-www-form-urlencoded`, pairs in order (duplicates kept);
    /// with `csrf`, the browser's token is added as the `csrf` field.
    Form {
        pairs: Vec<(String, String)>,
        csrf: bool,
    },
    /// JSON; with `csrf`, the token goes in `x-csrf-token` as the pages'
    /// script sends it.
    Json {
        text: String,
        csrf: bool,
    },
    /// Bytes as given, with this content type.
    Raw {
        content_type: &'static str,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct Request {
    pub who: Who,
    pub method: Method,
    /// A path on the server, or an absolute URL of it.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// `(name, value)` pairs from string slices.
pub fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl Request {
    fn new(method: Method, path: impl Into<String>, body: Body) -> Self {
        Self {
            who: Who::Anonymous,
            method,
            path: path.into(),
            headers: Vec::new(),
            body,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path, Body::None)
    }

    /// Any method, no body (method tokens the server does not know).
    pub fn method(method: &str, path: impl Into<String>) -> Self {
        let method = Method::from_bytes(method.as_bytes()).expect("a method token");
        Self::new(method, path, Body::None)
    }

    /// A form as a relying party's server posts it (no CSRF token).
    pub fn post_form(path: impl Into<String>, fields: &[(&str, &str)]) -> Self {
        Self::new(
            Method::POST,
            path,
            Body::Form {
                pairs: pairs(fields),
                csrf: false,
            },
        )
    }

    /// A form as the site's pages post it (with the CSRF field).
    pub fn page_form(path: impl Into<String>, fields: &[(&str, &str)]) -> Self {
        Self::new(
            Method::POST,
            path,
            Body::Form {
                pairs: pairs(fields),
                csrf: true,
            },
        )
    }

    /// JSON as the pages' script posts it (with the CSRF header).
    pub fn script_json(path: impl Into<String>, body: &serde_json::Value) -> Self {
        Self::script_text(path, body.to_string())
    }

    /// JSON text as given (e.g. with a key twice), with the CSRF header.
    pub fn script_text(path: impl Into<String>, text: String) -> Self {
        Self::new(Method::POST, path, Body::Json { text, csrf: true })
    }

    pub fn post_raw(path: impl Into<String>, content_type: &'static str, bytes: Vec<u8>) -> Self {
        Self::new(
            Method::POST,
            path,
            Body::Raw {
                content_type,
                bytes,
            },
        )
    }

    pub fn by(mut self, who: Who) -> Self {
        self.who = who;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// `Authorization: Basic` for a client id and secret.
    pub fn basic(self, id: &str, secret: &str) -> Self {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        self.header("authorization", format!("Basic {encoded}"))
    }

    /// Sends the request from `browser` (which must be the one of `who`).
    pub async fn send(&self, browser: &mut Browser) -> Reply {
        let mut req = browser
            .client
            .request(self.method.clone(), browser.url(&self.path));
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        req = match &self.body {
            Body::None => req,
            Body::Form { pairs, csrf } => {
                let mut all = Vec::new();
                if *csrf {
                    all.push(("csrf".to_owned(), browser.csrf().await));
                }
                all.extend(pairs.iter().cloned());
                let text: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(all)
                    .finish();
                req.header("content-type", "application/x-www-form-urlencoded")
                    .body(text)
            }
            Body::Json { text, csrf } => {
                if *csrf {
                    req = req.header("x-csrf-token", browser.csrf().await);
                }
                req.header("content-type", "application/json")
                    .body(text.clone())
            }
            Body::Raw {
                content_type,
                bytes,
            } => req
                .header("content-type", *content_type)
                .body(bytes.clone()),
        };
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let headers = res.headers().clone();
                let body = res.text().await.unwrap_or_default();
                Reply {
                    status,
                    headers,
                    body,
                }
            }
            // The server may answer and close before the client has sent
            // everything (an oversize head or body): no response to read.
            Err(e) => Reply {
                status: 0,
                headers: reqwest::header::HeaderMap::new(),
                body: format!("no response: {e}"),
            },
        }
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    /// 0 when the connection ended without a response.
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `error` member of a JSON body.
    pub fn json_error(&self) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()?
            .get("error")?
            .as_str()
            .map(str::to_owned)
    }
}
