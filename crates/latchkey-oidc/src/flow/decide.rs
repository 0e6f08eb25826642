//! What happens next with an authorization request: a pure function of the
//! request, the client, the signed-in subject (if any) and what the subject
//! has allowed the client so far.
//!
//! A weaker session is never used silently: when the client's minimum acr,
//! the request's `acr_values` or `max_age`, or `prompt=login` is not met by
//! the current session, the user goes through a new passkey ceremony; if even
//! a fresh ceremony cannot meet the requirement, the client gets
//! `unmet_authentication_requirements`, never a weaker token.

use std::collections::BTreeSet;

use latchkey_core::{Acr, AuthenticatedSubject};

use super::Pending;
use crate::authorize::{AuthorizationRequest, RedirectError};
use crate::clients::RegisteredClient;

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub pending: &'a Pending,
    pub client: &'a RegisteredClient,
    /// Who is signed in in this browser, if anyone.
    pub subject: Option<&'a AuthenticatedSubject>,
    /// The scopes the subject has allowed this client (`None`: no consent).
    /// Read only for a third-party client.
    pub granted: Option<&'a BTreeSet<String>>,
    /// The user allowed the client on the consent page of this very request
    /// (what `prompt=consent` asks for).
    pub consent_given_now: bool,
    /// Whether a new user may create an account (`prompt=create`).
    pub signup_open: bool,
}

/// The next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A (new) passkey ceremony is needed.
    SignIn,
    /// `prompt=create` with nobody signed in and sign-up open.
    SignUp,
    /// The user must allow the client first.
    Consent,
    /// The request ends with an error at the client's redirect URI.
    Redirect(RedirectError),
    /// The subject may have a code.
    IssueCode,
}

/// The strongest acr this client and request need.
pub fn required_acr(client: &RegisteredClient, request: &AuthorizationRequest) -> Option<Acr> {
    client.min_acr.max(request.acr)
}

fn refuse(r: &AuthorizationRequest, error: &'static str, description: &str) -> Decision {
    Decision::Redirect(RedirectError {
        redirect_uri: r.redirect_uri.clone(),
        state: r.state.clone(),
        error,
        description: description.to_owned(),
    })
}

/// Decides the next step of `s.pending`.
pub fn decide(s: &Situation<'_>) -> Decision {
    let (pending, r) = (s.pending, &s.pending.request);
    let required = required_acr(s.client, r);
    // A ceremony that happened for this very request: after it arrived, in
    // a session other than the one it arrived in.
    let fresh = |me: &AuthenticatedSubject| {
        me.auth_time >= pending.created_at
            && pending.session_at_request.as_deref() != Some(me.session_handle.as_str())
    };
    let acr_ok = |me: &AuthenticatedSubject| required.is_none_or(|need| me.acr.satisfies(need));
    let usable = s
        .subject
        .filter(|m| (!pending.fresh_auth_required || fresh(m)) && acr_ok(m));
    if usable.is_none() {
        if let Some(m) = s.subject
            && fresh(m)
            && !acr_ok(m)
        {
            return refuse(
                r,
                "unmet_authentication_requirements",
                "The passkey used does not meet the authentication level this application requires.",
            );
        }
        if r.prompt.none {
            return if s.subject.is_some() && !pending.fresh_auth_required {
                refuse(r, "interaction_required", "A stronger sign-in is needed.")
            } else {
                refuse(r, "login_required", "The user must sign in.")
            };
        }
        return if r.prompt.create && s.signup_open && s.subject.is_none() {
            Decision::SignUp
        } else {
            Decision::SignIn
        };
    }
    if !s.client.first_party {
        // prompt=consent asks again whatever was allowed before (OpenID
        // Connect Core §11); first-party clients are never asked.
        let covered = (!r.prompt.consent || s.consent_given_now)
            && s.granted
                .is_some_and(|g| r.scopes.iter().all(|scope| g.contains(scope)));
        if !covered {
            if r.prompt.none {
                return refuse(
                    r,
                    "consent_required",
                    "The user has not allowed this application.",
                );
            }
            return Decision::Consent;
        }
    }
    Decision::IssueCode
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use latchkey_core::{Amr, ClientId, UserId};

    use super::*;
    use crate::authorize::Prompt;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn client(first_party: bool, min_acr: Option<Acr>) -> RegisteredClient {
        RegisteredClient::from_row(latchkey_store::clients::Client {
            id: "lk_test".into(),
            name: "Test".into(),
            secret_hash: None,
            auth_method: "none".into(),
            redirect_uris: r#"["https://app.example/cb"]"#.into(),
            post_logout_redirect_uris: "[]".into(),
            min_acr: min_acr.map(|a| a.as_str().to_owned()),
            first_party,
            id_token_alg: "ES256".into(),
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
            disabled_at: None,
            allowed_scopes: r#"["openid","email"]"#.into(),
            allowed_resources: "[]".into(),
            previous_secret_hash: None,
            previous_secret_expires_at: None,
        })
        .unwrap()
    }

    fn pending(prompt: Prompt, acr: Option<Acr>, fresh_auth_required: bool) -> Pending {
        Pending {
            request: AuthorizationRequest {
                client_id: ClientId::parse("lk_test").unwrap(),
                redirect_uri: "https://app.example/cb".into(),
                scopes: ["openid", "email"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                state: Some("s1".into()),
                nonce: None,
                code_challenge: "c".into(),
                prompt,
                max_age: None,
                acr,
                login_hint: None,
                ui_locales: Vec::new(),
                resources: BTreeSet::new(),
            },
            created_at: t0(),
            fresh_auth_required,
            session_at_request: Some("old-session".into()),
        }
    }

    fn subject(acr: Acr, auth_time: DateTime<Utc>, handle: &str) -> AuthenticatedSubject {
        AuthenticatedSubject {
            user: UserId::new(),
            auth_time,
            acr,
            amr: vec![Amr::Hwk],
            sid: "sid".into(),
            credential: None,
            session_handle: handle.into(),
        }
    }

    fn run(
        pending: &Pending,
        client: &RegisteredClient,
        subject: Option<&AuthenticatedSubject>,
        granted: Option<&BTreeSet<String>>,
    ) -> Decision {
        decide(&Situation {
            pending,
            client,
            subject,
            granted,
            consent_given_now: false,
            signup_open: true,
        })
    }

    fn error_of(d: Decision) -> &'static str {
        match d {
            Decision::Redirect(e) => e.error,
            other => panic!("expected an error redirect, got {other:?}"),
        }
    }

    fn none() -> Prompt {
        Prompt {
            none: true,
            ..Prompt::default()
        }
    }

    #[test]
    fn nobody_signed_in_signs_in_or_signs_up_or_with_prompt_none_is_login_required() {
        let c = client(true, None);
        assert_eq!(
            run(&pending(Prompt::default(), None, false), &c, None, None),
            Decision::SignIn
        );
        let create = Prompt {
            create: true,
            ..Prompt::default()
        };
        assert_eq!(
            run(&pending(create, None, false), &c, None, None),
            Decision::SignUp
        );
        let closed = decide(&Situation {
            pending: &pending(create, None, false),
            client: &c,
            subject: None,
            granted: None,
            consent_given_now: false,
            signup_open: false,
        });
        assert_eq!(closed, Decision::SignIn);
        assert_eq!(
            error_of(run(&pending(none(), None, false), &c, None, None)),
            "login_required"
        );
    }

    #[test]
    fn a_session_meeting_every_requirement_gets_a_code_from_a_first_party_client() {
        let c = client(true, Some(Acr::Phr));
        let me = subject(Acr::Phr, t0() - Duration::hours(1), "old-session");
        assert_eq!(
            run(
                &pending(Prompt::default(), None, false),
                &c,
                Some(&me),
                None
            ),
            Decision::IssueCode
        );
    }

    #[test]
    fn a_weaker_session_steps_up_and_a_fresh_ceremony_that_falls_short_is_refused() {
        let c = client(true, Some(Acr::Phrh));
        let old = subject(Acr::Phr, t0() - Duration::hours(1), "old-session");
        let p = pending(Prompt::default(), None, false);
        assert_eq!(run(&p, &c, Some(&old), None), Decision::SignIn);
        assert_eq!(
            error_of(run(&pending(none(), None, false), &c, Some(&old), None)),
            "interaction_required"
        );
        let fresh = subject(Acr::Phr, t0() + Duration::seconds(5), "new-session");
        assert_eq!(
            error_of(run(&p, &c, Some(&fresh), None)),
            "unmet_authentication_requirements"
        );
        // The request's acr_values count like the client's minimum.
        let c = client(true, None);
        let p = pending(Prompt::default(), Some(Acr::Phrh), false);
        assert_eq!(run(&p, &c, Some(&old), None), Decision::SignIn);
    }

    #[test]
    fn prompt_login_and_max_age_need_a_ceremony_after_the_request_in_a_new_session() {
        let c = client(true, None);
        let p = pending(Prompt::default(), None, true);
        let before = subject(Acr::Phr, t0() - Duration::seconds(1), "old-session");
        assert_eq!(run(&p, &c, Some(&before), None), Decision::SignIn);
        // After the request, but the session it arrived in: not a new ceremony.
        let same = subject(Acr::Phr, t0() + Duration::seconds(1), "old-session");
        assert_eq!(run(&p, &c, Some(&same), None), Decision::SignIn);
        let after = subject(Acr::Phr, t0() + Duration::seconds(1), "new-session");
        assert_eq!(run(&p, &c, Some(&after), None), Decision::IssueCode);
        let silent = pending(none(), None, true);
        assert_eq!(
            error_of(run(&silent, &c, Some(&before), None)),
            "login_required"
        );
    }

    #[test]
    fn third_party_clients_need_consent_covering_every_scope() {
        let c = client(false, None);
        let me = subject(Acr::Phr, t0() - Duration::hours(1), "old-session");
        let p = pending(Prompt::default(), None, false);
        assert_eq!(run(&p, &c, Some(&me), None), Decision::Consent);
        let partial: BTreeSet<String> = ["openid".to_owned()].into();
        assert_eq!(run(&p, &c, Some(&me), Some(&partial)), Decision::Consent);
        let all: BTreeSet<String> = ["openid", "email", "profile"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(run(&p, &c, Some(&me), Some(&all)), Decision::IssueCode);
        assert_eq!(
            error_of(run(&pending(none(), None, false), &c, Some(&me), None)),
            "consent_required"
        );
    }

    #[test]
    fn prompt_consent_asks_a_third_party_client_again_until_answered_and_never_a_first_party_one() {
        let me = subject(Acr::Phr, t0() - Duration::hours(1), "old-session");
        let again = Prompt {
            consent: true,
            ..Prompt::default()
        };
        let p = pending(again, None, false);
        let all: BTreeSet<String> = ["openid", "email"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let third = client(false, None);
        assert_eq!(run(&p, &third, Some(&me), Some(&all)), Decision::Consent);
        let answered = decide(&Situation {
            pending: &p,
            client: &third,
            subject: Some(&me),
            granted: Some(&all),
            consent_given_now: true,
            signup_open: true,
        });
        assert_eq!(answered, Decision::IssueCode);
        assert_eq!(
            run(&p, &client(true, None), Some(&me), None),
            Decision::IssueCode
        );
    }

    #[test]
    fn errors_go_to_the_request_redirect_uri_with_its_state() {
        let c = client(true, None);
        match run(&pending(none(), None, false), &c, None, None) {
            Decision::Redirect(e) => {
                assert_eq!(e.redirect_uri, "https://app.example/cb");
                assert_eq!(e.state.as_deref(), Some("s1"));
            }
            other => panic!("{other:?}"),
        }
    }
}
