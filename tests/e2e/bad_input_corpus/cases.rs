//! The table of bad inputs, one function per class. A case is built from
//! data only; what it needs prepared (a code, a spent token, a ceremony) is
//! prepared here, before any case runs.

use serde_json::json;

use super::fixture::Fixture;
use super::request::{Request, Who};
use super::{Case, Expect};
use crate::oidc::{POST_LOGOUT_URI, REDIRECT_URI, with_param};

/// Every class the corpus covers; each must have at least one case.
pub const CLASSES: [&str; 14] = [
    "oversize-head",
    "oversize-body",
    "duplicate-parameter",
    "redirect-uri",
    "pkce",
    "replay",
    "cross-user",
    "next",
    "forged-user-handle",
    "authorization-header",
    "token-twice",
    "metric-label",
    "pending-bounds",
    "scope-resource",
];

/// Bigger than every body limit (64 KiB), smaller than actix's own.
const BIG_BODY: usize = 100 * 1024;

pub async fn corpus(fx: &mut Fixture) -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(oversize_head(fx));
    all.extend(oversize_body(fx));
    all.extend(duplicate_parameters(fx));
    all.extend(redirect_uris(fx).await);
    all.extend(pkce(fx).await);
    all.extend(replays(fx).await);
    all.extend(cross_user(fx).await);
    all.extend(next_values());
    all.extend(forged_user_handle(fx).await);
    all.extend(authorization_headers(fx));
    all.extend(token_twice(fx).await);
    all.extend(metric_labels());
    all.extend(pending_bounds(fx));
    all.extend(scopes_and_resources(fx));
    all
}

/// Over the server's bound on request headers (64 KiB), under actix-web's
/// own (128 KiB, which applies only when a head arrives in pieces): the
/// server's bound is what answers.
const BIG_HEAD: usize = 100 * 1024;

fn oversize_head(fx: &Fixture) -> Vec<Case> {
    let huge = "a".repeat(BIG_HEAD);
    let mut cases = Vec::new();
    for (name, request) in [
        ("/authorize", Request::get(fx.authorize_url().to_string())),
        (
            "/token",
            Request::post_form("/token", &[("grant_type", "client_credentials")]),
        ),
        ("/userinfo", Request::get("/userinfo")),
        (
            "/signin/options",
            Request::script_json("/signin/options", &json!({})),
        ),
        ("/account", Request::get("/account").by(Who::Ada)),
    ] {
        cases.push(Case::new(
            "oversize-head",
            format!("a 100 KiB header at {name}"),
            request.header("x-padding", huge.clone()),
            Expect::Page(431),
        ));
    }
    let mut many = Request::get(fx.authorize_url().to_string());
    for i in 0..100 {
        many = many.header(&format!("x-header-{i}"), "x");
    }
    cases.push(Case::new(
        "oversize-head",
        "100 headers at /authorize",
        many,
        Expect::Status(431),
    ));
    cases
}

fn oversize_body(fx: &Fixture) -> Vec<Case> {
    let padding = "a".repeat(BIG_BODY);
    let secret = fx.secret();
    let mut cases = Vec::new();
    for path in ["/token", "/revoke", "/introspect", "/userinfo"] {
        cases.push(Case::new(
            "oversize-body",
            format!("a 100 KiB form at {path}"),
            Request::post_form(
                path,
                &[
                    ("grant_type", "client_credentials"),
                    ("token", "x"),
                    ("padding", &padding),
                ],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_request"),
        ));
    }
    cases.push(Case::new(
        "oversize-body",
        "a 100 KiB JSON body at /token",
        Request::post_raw(
            "/token",
            "application/json",
            json!({ "grant_type": "client_credentials", "padding": padding })
                .to_string()
                .into_bytes(),
        )
        .basic(&fx.rp.id, &secret),
        Expect::OAuth(400, "invalid_request"),
    ));
    let json_body = json!({ "padding": padding });
    for (path, who) in [
        ("/signin/options", Who::Anonymous),
        ("/signin/finish", Who::Anonymous),
        ("/enrol/options", Who::Anonymous),
        ("/enrol/finish", Who::Anonymous),
        ("/stepup/options", Who::Ada),
        ("/stepup/finish", Who::Ada),
        ("/account/passkeys/options", Who::Ada),
        ("/account/passkeys/finish", Who::Ada),
    ] {
        cases.push(Case::new(
            "oversize-body",
            format!("a 100 KiB JSON body at {path}"),
            Request::script_json(path, &json_body).by(who),
            Expect::Api(413, "payload_too_large"),
        ));
    }
    for (path, who) in [
        ("/signout", Who::Ada),
        ("/authorize/consent", Who::Ada),
        ("/logout", Who::Ada),
        ("/account/passkeys/x/rename", Who::Ada),
        ("/account/passkeys/x/revoke", Who::Ada),
        ("/account/recovery-codes", Who::Ada),
        ("/account/sessions/revoke-others", Who::Ada),
        ("/account/apps/x/revoke", Who::Ada),
    ] {
        cases.push(Case::new(
            "oversize-body",
            format!("a 100 KiB form at {path}"),
            Request::page_form(path, &[("padding", &padding)]).by(who),
            Expect::Page(413),
        ));
    }
    cases
}

fn duplicate_parameters(fx: &Fixture) -> Vec<Case> {
    let url = fx.authorize_url();
    let twice = |name: &str| {
        let value = url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("{name} in the request"));
        let mut u = url.clone();
        u.query_pairs_mut().append_pair(name, &value);
        u.to_string()
    };
    let secret = fx.secret();
    let mut cases = Vec::new();
    for name in ["client_id", "redirect_uri"] {
        cases.push(Case::new(
            "duplicate-parameter",
            format!("{name} twice at /authorize"),
            Request::get(twice(name)),
            Expect::Page(400),
        ));
    }
    for name in [
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
    ] {
        cases.push(Case::new(
            "duplicate-parameter",
            format!("{name} twice at /authorize"),
            Request::get(twice(name)),
            Expect::ClientError("invalid_request"),
        ));
    }
    for (path, form) in [
        (
            "/token",
            vec![
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ],
        ),
        (
            "/token",
            vec![
                ("grant_type", "authorization_code"),
                ("code", "a"),
                ("code", "b"),
            ],
        ),
        ("/revoke", vec![("token", "a"), ("token", "b")]),
        ("/introspect", vec![("token", "a"), ("token", "b")]),
    ] {
        let repeated = form[form.len() - 1].0;
        cases.push(Case::new(
            "duplicate-parameter",
            format!("{repeated} twice at {path}"),
            Request::post_form(path, &form).basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_request"),
        ));
    }
    cases.push(Case::new(
        "duplicate-parameter",
        "next twice at /signin",
        Request::get("/signin?next=/a&next=/b"),
        Expect::Page(400),
    ));
    cases.push(Case::new(
        "duplicate-parameter",
        "post_logout_redirect_uri twice at /logout",
        Request::get(format!(
            "/logout?client_id={}&post_logout_redirect_uri={POST_LOGOUT_URI}&post_logout_redirect_uri={POST_LOGOUT_URI}",
            fx.rp.id
        )),
        Expect::Page(400),
    ));
    cases.push(Case::new(
        "duplicate-parameter",
        "decision twice at /authorize/consent",
        Request::page_form(
            "/authorize/consent",
            &[
                ("request", "x"),
                ("decision", "deny"),
                ("decision", "allow"),
                ("user", "x"),
            ],
        )
        .by(Who::Ada),
        Expect::Page(400),
    ));
    cases.push(Case::new(
        "duplicate-parameter",
        "ceremony twice in the JSON of /signin/finish",
        Request::script_text(
            "/signin/finish",
            r#"{"ceremony":"a","ceremony":"b","credential":{},"flow":"modal"}"#.to_owned(),
        ),
        Expect::Api(400, "malformed_request"),
    ));
    cases
}

async fn redirect_uris(fx: &mut Fixture) -> Vec<Case> {
    let url = fx.authorize_url();
    let mut cases = Vec::new();
    for (name, uri) in [
        ("with a fragment", format!("{REDIRECT_URI}#x")),
        (
            "with userinfo",
            REDIRECT_URI.replace("http://", "http://user:pass@"),
        ),
        ("unregistered", "http://localhost:4180/other".to_owned()),
        ("in upper case", REDIRECT_URI.to_uppercase()),
        (
            "with the path in another case",
            REDIRECT_URI.replace("callback", "Callback"),
        ),
        ("with a trailing slash", format!("{REDIRECT_URI}/")),
        ("with an empty host", "https:///cb".to_owned()),
        ("percent-encoded", REDIRECT_URI.replace('/', "%2F")),
    ] {
        cases.push(Case::new(
            "redirect-uri",
            format!("/authorize with a redirect URI {name}"),
            Request::get(with_param(&url, "redirect_uri", Some(&uri))),
            Expect::Page(400),
        ));
    }
    let secret = fx.secret();
    for (name, uri) in [
        ("with a trailing slash", format!("{REDIRECT_URI}/")),
        ("in upper case", REDIRECT_URI.to_uppercase()),
        ("with a fragment", format!("{REDIRECT_URI}#x")),
    ] {
        let code = fx.code(&["openid"]).await;
        cases.push(Case::new(
            "redirect-uri",
            format!("/token with a redirect URI {name}"),
            Request::post_form(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code.code),
                    ("redirect_uri", &uri),
                    ("code_verifier", &code.verifier),
                ],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_grant"),
        ));
    }
    for (name, uri) in [
        ("with a fragment", format!("{POST_LOGOUT_URI}#x")),
        ("unregistered", "https://evil.example/".to_owned()),
        ("with a trailing slash", format!("{POST_LOGOUT_URI}/")),
    ] {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &fx.rp.id)
            .append_pair("post_logout_redirect_uri", &uri)
            .finish();
        cases.push(Case::new(
            "redirect-uri",
            format!("/logout with a post-logout redirect URI {name}"),
            Request::get(format!("/logout?{query}")).by(Who::Ada),
            Expect::Page(400),
        ));
    }
    cases
}

async fn pkce(fx: &mut Fixture) -> Vec<Case> {
    let url = fx.authorize_url();
    let mut cases = Vec::new();
    for (name, param, value) in [
        ("no code_challenge", "code_challenge", None),
        (
            "code_challenge_method=plain",
            "code_challenge_method",
            Some("plain"),
        ),
        ("no code_challenge_method", "code_challenge_method", None),
        ("a short code_challenge", "code_challenge", Some("short")),
        (
            "a code_challenge that is not the encoding of 32 bytes",
            "code_challenge",
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"),
        ),
        (
            "a padded code_challenge",
            "code_challenge",
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM="),
        ),
    ] {
        cases.push(Case::new(
            "pkce",
            format!("/authorize with {name}"),
            Request::get(with_param(&url, param, value)),
            Expect::ClientError("invalid_request"),
        ));
    }
    let secret = fx.secret();
    let other = fx.code(&["openid"]).await;
    for (name, verifier, error) in [
        ("no code_verifier", None, "invalid_request"),
        (
            "a wrong code_verifier",
            Some("a".repeat(64)),
            "invalid_grant",
        ),
        (
            "a 42-character code_verifier",
            Some("a".repeat(42)),
            "invalid_grant",
        ),
        (
            "a 129-character code_verifier",
            Some("a".repeat(129)),
            "invalid_grant",
        ),
        (
            "a code_verifier outside the RFC 7636 alphabet",
            Some(format!("{}+/=", "a".repeat(50))),
            "invalid_grant",
        ),
        (
            "the code_verifier of another code",
            Some(other.verifier.clone()),
            "invalid_grant",
        ),
    ] {
        let code = fx.code(&["openid"]).await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.code.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ];
        if let Some(v) = &verifier {
            form.push(("code_verifier", v));
        }
        cases.push(Case::new(
            "pkce",
            format!("/token with {name}"),
            Request::post_form("/token", &form).basic(&fx.rp.id, &secret),
            Expect::OAuth(400, error),
        ));
    }
    cases
}

async fn replays(fx: &mut Fixture) -> Vec<Case> {
    let secret = fx.secret();
    let mut cases = Vec::new();

    // A code redeemed once, presented again: its tokens are revoked too.
    let used = fx.code(&["openid", "offline_access"]).await;
    fx.redeem(&used).await;
    cases.push(
        Case::new(
            "replay",
            "a redeemed authorization code",
            Request::post_form(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &used.code),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", &used.verifier),
                ],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_grant"),
        )
        .audited("refresh_family.revoked")
        .revokes(),
    );

    let spent = fx.spent_refresh_token().await;
    cases.push(
        Case::new(
            "replay",
            "a refresh token that was rotated away",
            Request::post_form(
                "/token",
                &[("grant_type", "refresh_token"), ("refresh_token", &spent)],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_grant"),
        )
        .audited("refresh_family.revoked")
        .revokes(),
    );

    // A WebAuthn assertion that signed someone in, sent again: with its own
    // (spent) ceremony, and with a new one.
    let (mut browser, options) = fx.signin_options().await;
    let assertion = fx.ada_assertion(&options);
    let finish =
        json!({ "ceremony": options.body["ceremony"], "credential": assertion, "flow": "modal" });
    let done = browser.post_json("/signin/finish", &finish).await;
    assert_eq!(done.status, 200, "preparing a sign-in: {:?}", done.body);
    cases.push(Case::new(
        "replay",
        "a WebAuthn assertion replayed with its spent ceremony",
        Request::script_json("/signin/finish", &finish),
        Expect::Api(400, "challenge_expired"),
    ));
    let (_, fresh) = fx.signin_options().await;
    cases.push(
        Case::new(
            "replay",
            "a WebAuthn assertion replayed into a new ceremony",
            Request::script_json(
                "/signin/finish",
                &json!({ "ceremony": fresh.body["ceremony"], "credential": assertion, "flow": "modal" }),
            ),
            Expect::Api(400, "challenge_mismatch"),
        )
        .audited("sign_in.failed")
        .counted(),
    );
    cases
}

async fn cross_user(fx: &mut Fixture) -> Vec<Case> {
    let adas = fx.adas_passkey().await;
    let mut cases = Vec::new();
    for (action, fields) in [
        ("revoke", vec![]),
        ("rename", vec![("label", "mine now")]),
        ("clear-clone-flag", vec![]),
    ] {
        cases.push(Case::new(
            "cross-user",
            format!("{action} another user's passkey by id"),
            Request::page_form(format!("/account/passkeys/{adas}/{action}"), &fields).by(Who::Bob),
            Expect::Page(404),
        ));
    }
    cases.push(Case::new(
        "cross-user",
        "withdraw consent from an application another user allowed",
        Request::page_form(format!("/account/apps/{}/revoke", fx.rp.id), &[]).by(Who::Bob),
        Expect::Page(404),
    ));
    // Another user's ceremonies, finished in Bob's session.
    let step_up = fx.ceremony_of(Who::Ada, "/stepup/options").await;
    let assertion = fx.ada_assertion(&step_up);
    cases.push(Case::new(
        "cross-user",
        "finish another user's step-up with their own assertion",
        Request::script_json(
            "/stepup/finish",
            &json!({ "ceremony": step_up.body["ceremony"], "credential": assertion }),
        )
        .by(Who::Bob),
        Expect::Api(403, "forbidden"),
    ));
    let add = fx.ceremony_of(Who::Ada, "/account/passkeys/options").await;
    let passkey = fx.new_passkey_for(&add);
    cases.push(Case::new(
        "cross-user",
        "finish adding a passkey to another user's account",
        Request::script_json(
            "/account/passkeys/finish",
            &json!({ "ceremony": add.body["ceremony"], "credential": passkey }),
        )
        .by(Who::Bob),
        Expect::Api(403, "forbidden"),
    ));
    cases
}

/// `next` values that browsers read as another host.
const FOREIGN_NEXT: [&str; 4] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example",
    "https://evil.example",
];

fn next_values() -> Vec<Case> {
    let mut cases = Vec::new();
    for next in FOREIGN_NEXT {
        let q: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        cases.push(Case::new(
            "next",
            format!("/signin?next={next:?}"),
            Request::get(format!("/signin?next={q}")),
            Expect::DataNext("/account"),
        ));
        cases.push(Case::new(
            "next",
            format!("/stepup?next={next:?}"),
            Request::get(format!("/stepup?next={q}")).by(Who::Ada),
            Expect::DataNext("/account"),
        ));
        cases.push(Case::new(
            "next",
            format!("/account/passkeys/here?next={next:?}"),
            Request::get(format!("/account/passkeys/here?next={q}")).by(Who::Ada),
            Expect::LinksTo("/account"),
        ));
    }
    cases
}

async fn forged_user_handle(fx: &mut Fixture) -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, handle) in [
        (
            "another user's",
            fx.ada.user_id.as_uuid().as_bytes().to_vec(),
        ),
        ("no user's", uuid::Uuid::new_v4().as_bytes().to_vec()),
    ] {
        let (_, options) = fx.signin_options().await;
        let assertion = fx.bob_assertion_as(&options, handle);
        cases.push(
            Case::new(
                "forged-user-handle",
                format!("/signin/finish with {name} user handle"),
                Request::script_json(
                    "/signin/finish",
                    &json!({ "ceremony": options.body["ceremony"], "credential": assertion, "flow": "modal" }),
                ),
                Expect::Api(400, "user_handle_mismatch"),
            )
            .audited("sign_in.failed")
            .counted(),
        );
    }
    cases
}

fn authorization_headers(fx: &Fixture) -> Vec<Case> {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut cases = Vec::new();
    for (name, value) in [
        ("Bearer", "Bearer abc".to_owned()),
        ("Basic without credentials", "Basic".to_owned()),
        ("Basic that is not base64", "Basic !!!notbase64".to_owned()),
        ("Basic without a colon", format!("Basic {}", b64(&fx.rp.id))),
        (
            "Digest",
            format!("Digest {}", b64(&format!("{}:x", fx.rp.id))),
        ),
    ] {
        cases.push(Case::new(
            "authorization-header",
            format!("/token with Authorization: {name}"),
            Request::post_form("/token", &[("grant_type", "client_credentials")])
                .header("authorization", value),
            Expect::OAuth(401, "invalid_client"),
        ));
    }
    cases
}

async fn token_twice(fx: &mut Fixture) -> Vec<Case> {
    let access = fx.access_token().await;
    let secret = fx.secret();
    let mut cases = vec![Case::new(
        "token-twice",
        "/userinfo with the access token in the header and the body",
        Request::post_form("/userinfo", &[("access_token", &access)])
            .header("authorization", format!("Bearer {access}")),
        Expect::OAuth(400, "invalid_request"),
    )];
    for (path, form) in [
        ("/token", vec![("grant_type", "client_credentials")]),
        ("/revoke", vec![("token", access.as_str())]),
        ("/introspect", vec![("token", access.as_str())]),
    ] {
        let mut form = form;
        form.push(("client_id", fx.rp.id.as_str()));
        form.push(("client_secret", secret.as_str()));
        cases.push(Case::new(
            "token-twice",
            format!("{path} with client credentials in the header and the body"),
            Request::post_form(path, &form).basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_request"),
        ));
    }
    cases
}

fn metric_labels() -> Vec<Case> {
    let mut cases = Vec::new();
    for (method, path) in [
        ("LKPROBEA", "/token"),
        ("LKPROBEB", "/authorize"),
        ("LKPROBEC", "/no/such/page"),
    ] {
        cases.push(
            Case::new(
                "metric-label",
                format!("method {method} at {path}"),
                Request::method(method, path),
                Expect::Page(404),
            )
            .not_in_metrics(method),
        );
    }
    cases
}

fn pending_bounds(fx: &Fixture) -> Vec<Case> {
    let url = fx.authorize_url();
    let mut cases = Vec::new();
    for (name, param, value) in [
        ("a 2049-byte state", "state", "s".repeat(2049)),
        ("a 513-byte nonce", "nonce", "n".repeat(513)),
        ("a 257-byte login_hint", "login_hint", "h".repeat(257)),
        ("a 257-byte acr_values", "acr_values", "phr ".repeat(65)),
        ("a 60 KiB parameter", "ui_locales", "x".repeat(60 * 1024)),
        (
            "a state that swells past the stored bound",
            "state",
            "\u{1}".repeat(2048),
        ),
    ] {
        cases.push(Case::new(
            "pending-bounds",
            format!("/authorize with {name}"),
            Request::get(with_param(&url, param, Some(&value))),
            Expect::ClientError("invalid_request"),
        ));
    }
    cases
}

/// Scopes and resources the client was not registered for (RFC 6749 §3.3,
/// RFC 8707 §2).
fn scopes_and_resources(fx: &Fixture) -> Vec<Case> {
    const FOREIGN_SCOPE: &str = "payroll:admin";
    const FOREIGN_RESOURCE: &str = "https://api.elsewhere.example/";
    let url = fx.authorize_url();
    let secret = fx.secret();
    vec![
        Case::new(
            "scope-resource",
            "/authorize with a scope not registered for the client",
            Request::get(with_param(
                &url,
                "scope",
                Some(&format!("openid {FOREIGN_SCOPE}")),
            )),
            Expect::ClientError("invalid_scope"),
        ),
        Case::new(
            "scope-resource",
            "/authorize with a resource not registered for the client",
            Request::get(with_param(&url, "resource", Some(FOREIGN_RESOURCE))),
            Expect::ClientError("invalid_target"),
        ),
        Case::new(
            "scope-resource",
            "/token client_credentials with a scope not registered for the client",
            Request::post_form(
                "/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("scope", FOREIGN_SCOPE),
                ],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_scope"),
        ),
        Case::new(
            "scope-resource",
            "/token client_credentials with a resource not registered for the client",
            Request::post_form(
                "/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("resource", FOREIGN_RESOURCE),
                ],
            )
            .basic(&fx.rp.id, &secret),
            Expect::OAuth(400, "invalid_target"),
        ),
    ]
}
