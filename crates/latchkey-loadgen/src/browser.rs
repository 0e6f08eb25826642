//! HTTP clients: a browser per virtual user (its own loopback address,
//! cookies and CSRF token, kept-alive connection) and the relying party's
//! back end.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::header::{self, HeaderMap};
use serde_json::Value;

use crate::target::Target;

/// Why an operation failed, as a short, bounded kind for the error counts:
/// the step and what went wrong, never a token or a per-request value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    pub kind: String,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)
    }
}

impl std::error::Error for OpError {}

impl OpError {
    /// Something the protocol did not allow (a missing field, a bad redirect).
    pub fn protocol(step: &str, what: &str) -> Self {
        Self {
            kind: format!("{step}: {what}"),
        }
    }

    /// An unexpected status; the body's OAuth/API `error` code is kept when
    /// it is a plain code.
    pub fn status(step: &str, status: u16, body: &str) -> Self {
        let code = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .filter(|c| {
                c.len() <= 48
                    && c.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            });
        Self {
            kind: match code {
                Some(code) => format!("{step}: HTTP {status} {code}"),
                None => format!("{step}: HTTP {status}"),
            },
        }
    }

    pub fn transport(step: &str, e: &reqwest::Error) -> Self {
        let what = if e.is_timeout() {
            "timeout"
        } else if e.is_connect() {
            "connection refused or reset"
        } else if e.is_body() || e.is_decode() {
            "body"
        } else {
            "request failed"
        };
        Self::protocol(step, what)
    }
}

/// How long one request may take before it counts as failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client for `target` (no redirects followed, kept-alive
/// connections), connecting from `source` when given. `addr` is where the
/// target's host was found to listen: `localhost` never goes through DNS.
pub fn http_client(
    target: &Target,
    addr: SocketAddr,
    source: Option<IpAddr>,
) -> anyhow::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // Below the server's 5 s keep-alive, so an idle connection is never
        // reused just as the server closes it.
        .pool_idle_timeout(Duration::from_secs(3))
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .user_agent("latchkey-load/0.1 (X11; Linux x86_64)");
    if target.host == "localhost" {
        b = b.resolve("localhost", addr);
    }
    if let Some(ip) = source {
        b = b.local_address(ip);
    }
    Ok(b.build()?)
}

/// An answer: status, Location, body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// One person's browser.
#[derive(Debug)]
pub struct Browser {
    client: reqwest::Client,
    base: String,
    origin: String,
    cookies: Vec<(String, String)>,
    csrf: Option<String>,
}

/// The `content` of `<meta name="csrf-token" content="...">` in a page.
pub fn csrf_from_html(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf-token\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let value = tag.split("content=\"").nth(1)?.split('"').next()?;
    (!value.is_empty()).then(|| value.to_owned())
}

/// Applies `Set-Cookie` headers to a cookie list (name and value only:
/// the load generator only ever talks to one origin).
pub fn apply_set_cookies(cookies: &mut Vec<(String, String)>, headers: &HeaderMap) {
    for v in headers.get_all(header::SET_COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        let mut attrs = v.split(';');
        let Some((name, value)) = attrs.next().and_then(|nv| nv.split_once('=')) else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        let removed = value.is_empty()
            || attrs.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("max-age=-")
            });
        cookies.retain(|(n, _)| n != name);
        if !removed {
            cookies.push((name.to_owned(), value.to_owned()));
        }
    }
}

impl Browser {
    pub fn new(client: reqwest::Client, target: &Target) -> Self {
        Self {
            client,
            base: target.base.clone(),
            origin: target.origin.clone(),
            cookies: Vec::new(),
            csrf: None,
        }
    }

    /// Forgets cookies and the CSRF token: a browser that was never here.
    pub fn clear(&mut self) {
        self.cookies.clear();
        self.csrf = None;
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.iter().any(|(n, _)| n == name)
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    async fn send(&mut self, step: &str, req: reqwest::RequestBuilder) -> Result<Reply, OpError> {
        let req = match self.cookie_header() {
            Some(c) => req.header(header::COOKIE, c),
            None => req,
        };
        let res = req.send().await.map_err(|e| OpError::transport(step, &e))?;
        apply_set_cookies(&mut self.cookies, res.headers());
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.map_err(|e| OpError::transport(step, &e))?;
        Ok(Reply {
            status,
            location,
            body,
        })
    }

    /// GETs without following a redirect.
    pub async fn get(&mut self, step: &str, path_or_url: &str) -> Result<Reply, OpError> {
        let req = self
            .client
            .get(self.url(path_or_url))
            .header(header::ACCEPT, "text/html,application/xhtml+xml");
        self.send(step, req).await
    }

    /// GETs a page (200 expected) and keeps its CSRF token, as the pages'
    /// script reads it from the meta tag.
    pub async fn page(&mut self, step: &str, path_or_url: &str) -> Result<String, OpError> {
        let reply = self.get(step, path_or_url).await?;
        if reply.status != 200 {
            return Err(OpError::status(step, reply.status, &reply.body));
        }
        if let Some(token) = csrf_from_html(&reply.body) {
            self.csrf = Some(token);
        }
        Ok(reply.body)
    }

    /// POSTs JSON the way the pages' script does (same-origin fetch with the
    /// CSRF header) and returns the JSON answer of a 200.
    pub async fn post_json(
        &mut self,
        step: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, OpError> {
        let csrf = self
            .csrf
            .clone()
            .ok_or_else(|| OpError::protocol(step, "no CSRF token in the page"))?;
        let req = self
            .client
            .post(self.url(path))
            .header("x-csrf-token", csrf)
            .header(header::ORIGIN, self.origin.clone())
            .header("sec-fetch-site", "same-origin")
            .json(body);
        let reply = self.send(step, req).await?;
        if reply.status != 200 {
            return Err(OpError::status(step, reply.status, &reply.body));
        }
        serde_json::from_str(&reply.body).map_err(|_| OpError::protocol(step, "answer is not JSON"))
    }

    /// POSTs a form without cookies' CSRF (a token endpoint call by a public
    /// client running in this browser) and returns the JSON of a 200.
    pub async fn post_form(
        &mut self,
        step: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, OpError> {
        let req = self.client.post(self.url(path)).form(form);
        let res = req.send().await.map_err(|e| OpError::transport(step, &e))?;
        json_of_200(step, res).await
    }

    /// Status of a probe POST with an empty JSON body and no CSRF token.
    pub async fn probe_post(&mut self, path: &str) -> Result<u16, OpError> {
        let req = self
            .client
            .post(self.url(path))
            .json(&serde_json::json!({}));
        Ok(self.send("probe", req).await?.status)
    }
}

/// The JSON body of a 200 answer, or the error for anything else.
pub async fn json_of_200(step: &str, res: reqwest::Response) -> Result<Value, OpError> {
    let status = res.status().as_u16();
    let body = res.text().await.map_err(|e| OpError::transport(step, &e))?;
    if status != 200 {
        return Err(OpError::status(step, status, &body));
    }
    serde_json::from_str(&body).map_err(|_| OpError::protocol(step, "answer is not JSON"))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn csrf_token_comes_from_the_meta_tag() {
        let html =
            r#"<head><meta charset="utf-8"><meta name="csrf-token" content="abc123"></head>"#;
        assert_eq!(csrf_from_html(html).as_deref(), Some("abc123"));
        let reordered = r#"<meta content="xyz" name="csrf-token">"#;
        assert_eq!(csrf_from_html(reordered).as_deref(), Some("xyz"));
        assert_eq!(
            csrf_from_html(r#"<meta name="csrf-token" content="">"#),
            None
        );
        assert_eq!(csrf_from_html("<p>no token</p>"), None);
    }

    #[test]
    fn set_cookie_adds_replaces_and_removes() {
        let mut jar = Vec::new();
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("__Host-a=1; Path=/; Secure; HttpOnly"),
        );
        h.append(header::SET_COOKIE, HeaderValue::from_static("b=2"));
        apply_set_cookies(&mut jar, &h);
        assert_eq!(jar.len(), 2);
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("__Host-a=3; Max-Age=60"),
        );
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("b=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
        );
        apply_set_cookies(&mut jar, &h);
        assert_eq!(jar, vec![("__Host-a".to_owned(), "3".to_owned())]);
    }

    #[test]
    fn error_kinds_keep_only_plain_codes() {
        assert_eq!(
            OpError::status(
                "token",
                400,
                r#"{"error":"invalid_grant","error_description":"x"}"#
            )
            .kind,
            "token: HTTP 400 invalid_grant"
        );
        assert_eq!(
            OpError::status("jwks", 503, "<html>").kind,
            "jwks: HTTP 503"
        );
        assert_eq!(
            OpError::status("x", 400, r#"{"error":"has a token lki_abc in it"}"#).kind,
            "x: HTTP 400"
        );
    }
}
