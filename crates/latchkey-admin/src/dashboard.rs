//! The dashboard (administrators only): adoption funnel, passkeys by kind
//! and model, sign-ins per day by flow and outcome with the top refusal
//! reasons, guarded-action requests by state with the median time to
//! completion, and pending approvals. Sign-ins come from the daily counts
//! rolled up from the audit log (brought up to date here, within a bound;
//! the worker does the rest), so the page reads a few hundred rows however
//! many sign-ins were recorded.

use latchkey_i18n::{Locale, msg};
use latchkey_web::chrome::Chrome;
use std::collections::BTreeMap;

use actix_web::{HttpRequest, get, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{Days, NaiveDate};
use latchkey_store::daily_counts::{self, DayCount, SIGN_IN_FAILURES, SIGN_INS};
use latchkey_store::dashboard::{self, Funnel, PasskeyGroup};
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;

use crate::access;
use crate::charts::{Chart, bars, stacked_days};
use crate::views::Fact;

pub(crate) const ADMINS_ONLY: &str = "The dashboard is for administrators.";
/// Days of sign-ins shown.
pub const DAYS: u64 = 30;
/// Audit events the page rolls up at most before answering.
const ROLLUP_BUDGET: usize = 20_000;
/// Sign-in flows, in the chart's order; anything else is "other".
const FLOWS: [&str; 3] = ["autofill", "modal", "cross-device"];

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub me: String,
    pub facts: Vec<Fact>,
    pub charts: Vec<Chart>,
    /// The roll-up did not catch up within the page's budget.
    pub catching_up: bool,
}

/// Everything the dashboard shows, computed from what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbers {
    pub funnel: Funnel,
    pub passkeys: Vec<PasskeyGroup>,
    pub days: Vec<DayCount>,
    pub requests: Vec<(String, String, i64)>,
    pub median_completion: Option<chrono::Duration>,
    pub current: bool,
}

/// Reads the numbers (after rolling up new audit events, within a bound).
pub async fn numbers(state: &AppState, today: NaiveDate) -> Result<Numbers, WebError> {
    let from = today.checked_sub_days(Days::new(DAYS - 1)).unwrap_or(today);
    Ok(state
        .db
        .run(move |c| {
            let current = daily_counts::roll_up_within(c, 5_000, ROLLUP_BUDGET)?;
            Ok(Numbers {
                funnel: dashboard::funnel(c)?,
                passkeys: dashboard::passkeys(c)?,
                days: daily_counts::since(c, from)?,
                requests: dashboard::requests_by_state(c)?,
                median_completion: dashboard::median_completion(c, 1_000)?,
                current,
            })
        })
        .await?)
}

fn kind(p: &PasskeyGroup) -> &'static str {
    match (p.backup_eligible, p.attested) {
        (true, _) => msg("passkey-kind-synced"),
        (false, true) => msg("admin-dashboard-device-bound-attested"),
        (false, false) => msg("passkey-kind-device-bound"),
    }
}

fn model(locale: Locale, p: &PasskeyGroup) -> String {
    p.aaguid
        .as_deref()
        .and_then(|a| uuid::Uuid::parse_str(a).ok())
        .and_then(|a| latchkey_passkey::model_for_aaguid(&a))
        .map_or_else(|| locale.t(msg("admin-user-unknown-model")), str::to_owned)
}

/// The message of a request state's name, as the chart shows it.
fn request_state_key(state: &str) -> Option<&'static str> {
    Some(match state {
        "requested" => msg("request-state-requested"),
        "verifying_factors" => msg("request-state-verifying-factors"),
        "waiting" => msg("request-state-waiting"),
        "awaiting_approvals" => msg("request-state-awaiting-approvals"),
        "ready" => msg("request-state-ready"),
        "completed" => msg("request-state-completed"),
        "cancelled" => msg("request-state-cancelled"),
        "denied" => msg("request-state-denied"),
        "expired" => msg("request-state-expired"),
        "locked" => msg("request-state-locked"),
        _ => return None,
    })
}

/// Sums per label, largest first (ties by label), at most `top`.
fn ranked(pairs: impl IntoIterator<Item = (String, i64)>, top: usize) -> Vec<(String, i64)> {
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for (label, n) in pairs {
        *sums.entry(label).or_default() += n;
    }
    let mut rows: Vec<(String, i64)> = sums.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(top);
    rows
}

fn duration_text(locale: Locale, d: chrono::Duration) -> String {
    // One decimal, written with the language's decimal separator.
    let decimal =
        |x: f64| format!("{x:.1}").replace('.', &locale.t(msg("admin-decimal-separator")));
    let text = |key: &str, n: String| locale.format(key, &[("n", n.into())]);
    if d < chrono::Duration::hours(1) {
        text(msg("admin-dashboard-minutes"), d.num_minutes().to_string())
    } else if d < chrono::Duration::days(2) {
        text(
            msg("admin-dashboard-hours"),
            decimal(d.num_minutes() as f64 / 60.0),
        )
    } else {
        text(
            msg("admin-dashboard-days"),
            decimal(d.num_hours() as f64 / 24.0),
        )
    }
}

/// The page's facts and charts from the numbers, in `locale`.
pub fn charts(n: &Numbers, today: NaiveDate, locale: Locale) -> (Vec<Fact>, Vec<Chart>) {
    let t = |key: &str| locale.t(key);
    let days: Vec<String> = (0..DAYS)
        .rev()
        .filter_map(|back| today.checked_sub_days(Days::new(back)))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    let series: Vec<String> = [
        msg("admin-dashboard-flow-autofill"),
        msg("admin-dashboard-flow-modal"),
        msg("admin-dashboard-flow-cross-device"),
        msg("admin-dashboard-flow-other"),
        msg("admin-dashboard-flow-refused"),
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    debug_assert_eq!(series.len(), FLOWS.len() + 2);
    let mut values = vec![vec![0_i64; series.len()]; days.len()];
    let (mut ok, mut refused) = (0, 0);
    for c in &n.days {
        let Some(d) = days.iter().position(|day| *day == c.day) else {
            continue;
        };
        let s = if c.metric == SIGN_IN_FAILURES {
            refused += c.count;
            series.len() - 1
        } else if c.metric == SIGN_INS {
            ok += c.count;
            FLOWS
                .iter()
                .position(|f| *f == c.key)
                .unwrap_or(FLOWS.len())
        } else {
            continue;
        };
        values[d][s] += c.count;
    }
    let pending: i64 = n
        .requests
        .iter()
        .filter(|(_, state, _)| state == "awaiting_approvals")
        .map(|r| r.2)
        .sum();
    let facts = vec![
        Fact {
            label: msg("admin-dashboard-sign-ins"),
            value: ok.to_string(),
        },
        Fact {
            label: msg("admin-dashboard-refused"),
            value: refused.to_string(),
        },
        Fact {
            label: msg("admin-dashboard-awaiting"),
            value: pending.to_string(),
        },
        Fact {
            label: msg("admin-dashboard-median"),
            value: n.median_completion.map_or_else(
                || t(msg("admin-dashboard-none-completed")),
                |d| duration_text(locale, d),
            ),
        },
    ];
    let f = n.funnel;
    let charts = vec![
        bars(
            "funnel",
            &t(msg("admin-chart-adoption")),
            &t(msg("admin-unit-accounts")),
            &[
                (t(msg("admin-chart-invited")), f.invited),
                (t(msg("admin-chart-enrolled")), f.enrolled),
                (t(msg("admin-chart-two-or-more")), f.two_or_more),
                (t(msg("admin-chart-recovery-codes")), f.recovery_codes),
            ],
        ),
        stacked_days(
            "sign-ins",
            &t(msg("admin-chart-sign-ins")),
            &t(msg("admin-chart-day")),
            &days,
            &series,
            &values,
        ),
        bars(
            "failures",
            &t(msg("admin-chart-failures")),
            &t(msg("admin-unit-sign-ins")),
            &ranked(
                n.days
                    .iter()
                    .filter(|c| c.metric == SIGN_IN_FAILURES)
                    .map(|c| (c.key.clone(), c.count)),
                5,
            ),
        ),
        bars(
            "passkey-kinds",
            &t(msg("admin-chart-passkey-kinds")),
            &t(msg("admin-unit-passkeys")),
            &ranked(n.passkeys.iter().map(|p| (t(kind(p)), p.count)), 3),
        ),
        bars(
            "passkey-models",
            &t(msg("admin-chart-passkey-models")),
            &t(msg("admin-unit-passkeys")),
            &ranked(n.passkeys.iter().map(|p| (model(locale, p), p.count)), 8),
        ),
        bars(
            "requests",
            &t(msg("admin-chart-requests")),
            &t(msg("admin-unit-requests")),
            &ranked(
                n.requests.iter().map(|(_, state, count)| {
                    let name = request_state_key(state).map_or_else(|| state.replace('_', " "), &t);
                    (name, *count)
                }),
                10,
            ),
        ),
    ];
    (facts, charts)
}

#[get("/dashboard")]
pub async fn get_dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<DashboardPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let today = state.clock.now().date_naive();
    let n = numbers(&state, today).await?;
    let chrome = Chrome::console(&req).await;
    let (facts, charts) = charts(&n, today, chrome.locale);
    Ok(DashboardPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        facts,
        charts,
        catching_up: !n.current,
    })
}
