//! Structured logs: pretty on a terminal, JSON otherwise or when asked.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat, filter: &str) {
    init_to(format, filter, false);
}

/// Logs to standard error, for one-shot commands whose standard output is
/// their result (a client id, a report).
pub fn init_stderr(format: LogFormat, filter: &str) {
    init_to(format, filter, true);
}

/// The libraries whose log lines are left out unless the filter names them.
///
/// webauthn-rs logs at ERROR what is the client's fault (a malformed or
/// forged response, inconsistent backup flags). Latchkey logs every ceremony
/// outcome itself (target `latchkey::ceremony`) with its reason code: at
/// WARN when the client failed, at ERROR only for a fault of ours.
const QUIET_UNLESS_NAMED: &[&str] = &["webauthn_rs_core", "webauthn_rs"];

/// The filter for `spec` (an `EnvFilter` directive list, `info` when it does
/// not parse), with the libraries of [`QUIET_UNLESS_NAMED`] off unless the
/// spec names them.
fn env_filter(spec: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in QUIET_UNLESS_NAMED {
        if !spec.contains(target)
            && let Ok(directive) = format!("{target}=off").parse()
        {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

fn init_to(format: LogFormat, filter: &str, stderr: bool) {
    let filter = env_filter(filter);
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto if stderr => !std::io::stderr().is_terminal(),
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let writer = move || -> Box<dyn std::io::Write> {
        if stderr {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(writer);
    // A second initialisation (tests starting several apps) is harmless.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            // The request's span is the one that matters (`span`); the list
            // of every enclosing span repeated it and cost as much again
            // per line.
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::Level;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::env_filter;

    /// Records the level and target of every event that passes the filter.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<(Level, String)>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Seen {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let meta = event.metadata();
            self.0
                .lock()
                .unwrap()
                .push((*meta.level(), meta.target().to_owned()));
        }
    }

    fn seen_with(spec: &str, emit: impl FnOnce()) -> Vec<(Level, String)> {
        let seen = Seen::default();
        let subscriber =
            tracing_subscriber::registry().with(seen.clone().with_filter(env_filter(spec)));
        tracing::subscriber::with_default(subscriber, emit);
        seen.0.lock().unwrap().clone()
    }

    /// What webauthn-rs logs for a malformed or forged response, then what
    /// Latchkey logs for the same failure and for a fault of its own.
    fn a_failed_ceremony() {
        tracing::error!(target: "webauthn_rs_core::internals", "cbor_parser");
        tracing::error!(target: "webauthn_rs_core::core", "Credential backup eligibility has changed!");
        tracing::warn!(target: "latchkey::ceremony", reason = "malformed_response", "passkey ceremony failed");
        tracing::error!(target: "latchkey_web::error", "internal error");
    }

    #[test]
    fn client_caused_webauthn_failures_are_not_logged_as_errors() {
        let seen = seen_with("info", a_failed_ceremony);
        assert!(
            !seen
                .iter()
                .any(|(_, target)| target.starts_with("webauthn_rs")),
            "{seen:?}"
        );
        assert!(seen.contains(&(Level::WARN, "latchkey::ceremony".into())));
        assert!(seen.contains(&(Level::ERROR, "latchkey_web::error".into())));
    }

    #[test]
    fn an_operator_who_names_the_library_gets_its_lines() {
        let seen = seen_with("info,webauthn_rs_core=debug", a_failed_ceremony);
        assert!(
            seen.contains(&(Level::ERROR, "webauthn_rs_core::internals".into())),
            "{seen:?}"
        );
    }
}
