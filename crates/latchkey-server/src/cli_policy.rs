//! `latchkey policy create/update/assign/unassign/report` and `latchkey
//! group create/add`:
//! attestation policies for scripting, through the operations of
//! `latchkey_accounts::Policies` (the console calls the same ones).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use latchkey_accounts::{AccountsError, Policies, PolicyReport, PolicyTarget};
use latchkey_core::{AccountTier, ClientId, SystemClock};
use latchkey_passkey::PolicyRules;
use latchkey_passkey::mds::CertificationLevel;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Create an attestation policy (audited). Nothing applies it until it
    /// is assigned: run `latchkey policy report NAME` first to see whom it
    /// would refuse.
    Create(PolicyCreateArgs),
    /// Attach a policy to a group, an account tier or a client (audited);
    /// the target's previous policy, if any, is replaced.
    Assign(PolicyAssignArgs),
    /// Change a policy's rules (the flags of `create` give the new rules
    /// in full). Prints the dry run — the accounts and passkeys that would
    /// stop complying — and saves only with `--yes`. A change that relaxes
    /// any rule is refused here: it needs approval, asked for in the admin
    /// console.
    Update(PolicyUpdateArgs),
    /// Take a group, tier, client or the console off its policy (audited).
    /// Refused when the policy demands anything: that is a weakening, asked
    /// for in the admin console.
    Unassign(PolicyUnassignArgs),
    /// The dry run: the accounts the policy applies to and the passkeys
    /// that do not comply with it today, counted and listed.
    Report {
        /// The policy's name.
        name: String,
        /// Write the report as CSV (one record per refused passkey).
        #[arg(long)]
        csv: bool,
    },
    /// List the policies and their rules.
    List,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyCreateArgs {
    /// The policy's name: letters, digits, '-', '_' or '.'.
    pub name: String,
    /// Passkeys must come with an attestation that verifies against the
    /// imported FIDO metadata.
    #[arg(long)]
    pub require_attestation: bool,
    /// Synced (backup-eligible) passkeys are refused.
    #[arg(long)]
    pub device_bound: bool,
    /// An allowed authenticator model: its name in the imported metadata,
    /// or its AAGUID (repeat for several). Implies attestation.
    #[arg(long = "aaguid", value_name = "MODEL_OR_AAGUID")]
    pub models: Vec<String>,
    /// The least FIDO certification level: L1, L1+, L2, L2+, L3 or L3+.
    /// Implies attestation.
    #[arg(long, value_name = "LEVEL")]
    pub min_certification: Option<String>,
    /// Refuse models the FIDO metadata reports as compromised (revoked,
    /// user-verification bypass, key compromise).
    #[arg(long)]
    pub refuse_compromised: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyUpdateArgs {
    #[command(flatten)]
    pub rules: PolicyCreateArgs,
    /// Save the change (without it, only the dry run is printed).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyAssignArgs {
    /// The policy's name.
    pub name: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyUnassignArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(false)))]
pub struct TargetArgs {
    /// A group, by name.
    #[arg(long, group = "target")]
    pub group: Option<String>,
    /// An account tier: standard, elevated or critical.
    #[arg(long, group = "target", value_parser = ["standard", "elevated", "critical"])]
    pub tier: Option<String>,
    /// A client, by id.
    #[arg(long, group = "target")]
    pub client: Option<String>,
    /// The admin console: a console step-up's passkey must comply.
    #[arg(long, group = "target")]
    pub console: bool,
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group of accounts (audited).
    Create {
        /// The group's name.
        name: String,
    },
    /// Add an account, by username, to a group (audited).
    Add {
        /// The group's name.
        group: String,
        /// The account's username.
        username: String,
    },
}

async fn service(config: &Config) -> anyhow::Result<Policies> {
    let instance = crate::startup::open_instance(config).await?;
    Ok(Policies::new(
        instance.db.clone(),
        instance.audit.clone(),
        Arc::new(SystemClock),
    ))
}

/// Refusals of bad input exit 2 with the message; other failures are errors.
fn refused(e: AccountsError) -> anyhow::Result<ExitCode> {
    match e {
        AccountsError::InvalidInput { message, .. } => {
            eprintln!("latchkey: {message}");
            Ok(ExitCode::from(2))
        }
        AccountsError::NotFound(what) => {
            eprintln!("latchkey: {what} was not found.");
            Ok(ExitCode::from(2))
        }
        // The command line has no passkey to step up with: a weakening is
        // asked for in the console, where the engine takes it.
        e @ AccountsError::NeedsApproval { .. } => {
            eprintln!("latchkey: {e}");
            Ok(ExitCode::from(2))
        }
        e => Err(anyhow::Error::new(e)),
    }
}

pub async fn run(config: Config, command: PolicyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PolicyCommand::Create(args) => create(config, args).await,
        PolicyCommand::Assign(args) => assign(config, args).await,
        PolicyCommand::Update(args) => update(config, args).await,
        PolicyCommand::Unassign(args) => unassign(config, args).await,
        PolicyCommand::Report { name, csv } => report(config, &name, csv).await,
        PolicyCommand::List => list(config).await,
    }
}

pub async fn run_group(config: Config, command: GroupCommand) -> anyhow::Result<ExitCode> {
    let policies = service(&config).await?;
    let (result, done) = match &command {
        GroupCommand::Create { name } => (
            policies.create_group(name, "cli").await,
            format!("Created group {name:?}."),
        ),
        GroupCommand::Add { group, username } => (
            policies.add_member(group, username, "cli").await,
            format!("{username} is a member of {group:?}."),
        ),
    };
    match result {
        Ok(()) => {
            println!("{done}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// The rules the flags give, or the exit code of a refusal (printed).
async fn rules_from(
    policies: &Policies,
    args: &PolicyCreateArgs,
) -> anyhow::Result<Result<PolicyRules, ExitCode>> {
    let min_certification = match &args.min_certification {
        None => None,
        Some(l) => match CertificationLevel::parse(l) {
            Some(level) => Some(level),
            None => {
                eprintln!(
                    "latchkey: --min-certification: {l:?} is not a level; use L1, L1+, L2, L2+, L3 or L3+"
                );
                return Ok(Err(ExitCode::from(2)));
            }
        },
    };
    let mut allowed_aaguids = Vec::new();
    for model in &args.models {
        match policies.resolve_model(model).await {
            Ok(found) => allowed_aaguids.extend(found),
            Err(AccountsError::InvalidInput { message, .. }) => {
                eprintln!("latchkey: --aaguid {model:?}: {message}");
                return Ok(Err(ExitCode::from(2)));
            }
            Err(e) => return Err(e).context("resolving the models"),
        }
    }
    allowed_aaguids.sort();
    allowed_aaguids.dedup();
    Ok(Ok(PolicyRules {
        require_attestation: args.require_attestation,
        device_bound: args.device_bound,
        allowed_aaguids,
        min_certification,
        refuse_compromised: args.refuse_compromised,
    }))
}

async fn create(config: Config, args: PolicyCreateArgs) -> anyhow::Result<ExitCode> {
    let policies = service(&config).await?;
    let rules = match rules_from(&policies, &args).await? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    match policies.create(&args.name, rules, "cli").await {
        Ok(saved) => {
            println!(
                "Created attestation policy {:?}: {}.",
                saved.name,
                describe(&saved.rules)
            );
            println!(
                "It applies to nothing yet. See whom it would refuse with `latchkey policy report {}`, then `latchkey policy assign`.",
                saved.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// The target the flags name, or the exit code of a refusal (printed).
fn target_from(args: &TargetArgs) -> Result<PolicyTarget, ExitCode> {
    Ok(match (&args.group, &args.tier, &args.client) {
        (Some(g), _, _) => PolicyTarget::Group(g.clone()),
        (_, Some(t), _) => PolicyTarget::Tier(match t.as_str() {
            "elevated" => AccountTier::Elevated,
            "critical" => AccountTier::Critical,
            _ => AccountTier::Standard,
        }),
        (_, _, Some(c)) => match ClientId::parse(c) {
            Ok(id) => PolicyTarget::Client(id),
            Err(_) => {
                eprintln!("latchkey: --client: {c:?} is not a client id");
                return Err(ExitCode::from(2));
            }
        },
        _ if args.console => PolicyTarget::Console,
        _ => {
            eprintln!("latchkey: name a target: --group, --tier, --client or --console");
            return Err(ExitCode::from(2));
        }
    })
}

async fn assign(config: Config, args: PolicyAssignArgs) -> anyhow::Result<ExitCode> {
    let target = match target_from(&args.target) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let policies = service(&config).await?;
    match policies.assign(&args.name, target.clone(), "cli").await {
        Ok(()) => {
            println!(
                "Attestation policy {:?} now applies to {}.",
                args.name,
                target_text(&target)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

async fn unassign(config: Config, args: PolicyUnassignArgs) -> anyhow::Result<ExitCode> {
    let target = match target_from(&args.target) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let policies = service(&config).await?;
    match policies.unassign(target.clone(), "cli").await {
        Ok(()) => {
            println!(
                "No attestation policy applies to {} now.",
                target_text(&target)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

async fn update(config: Config, args: PolicyUpdateArgs) -> anyhow::Result<ExitCode> {
    let policies = service(&config).await?;
    let rules = match rules_from(&policies, &args.rules).await? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let proposal = match policies.preview(&args.rules.name, rules.clone()).await {
        Ok(p) if p.current.is_none() => {
            eprintln!(
                "latchkey: there is no attestation policy {:?}; create it with `latchkey policy create`.",
                p.policy
            );
            return Ok(ExitCode::from(2));
        }
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    print!("{}", proposal_text(&proposal));
    if proposal.needs_approval() {
        eprintln!(
            "latchkey: this change relaxes the policy, so it needs approval: ask for it in the admin console (Policies, {:?}, Edit), where approvers see it. Nothing was saved.",
            proposal.policy
        );
        return Ok(ExitCode::from(2));
    }
    if !args.yes {
        println!("Nothing saved: run again with --yes to save these rules.");
        return Ok(ExitCode::SUCCESS);
    }
    match policies.update(&args.rules.name, rules, "cli").await {
        Ok(saved) => {
            println!(
                "Saved attestation policy {:?}: {}.",
                saved.name,
                describe(&saved.rules)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// The dry run of an update: what changes, then the report of the new rules.
pub fn proposal_text(p: &latchkey_accounts::Proposal) -> String {
    let mut out = String::new();
    if p.comparison.is_equal() {
        out.push_str("The rules do not change.\n");
    }
    for (change, relaxed) in p.comparison.changes() {
        out.push_str(&format!(
            "{} {}: {} -> {}\n",
            if relaxed { "relaxed:  " } else { "tightened:" },
            change.rule.code(),
            change.before,
            change.after
        ));
    }
    out.push_str("With the new rules:\n");
    out.push_str(&report_text(&p.report));
    out
}

async fn report(config: Config, name: &str, csv: bool) -> anyhow::Result<ExitCode> {
    let policies = service(&config).await?;
    match policies.report(name).await {
        Ok(r) if csv => {
            print!("{}", latchkey_admin::policies::report_csv(&r));
            Ok(ExitCode::SUCCESS)
        }
        Ok(r) => {
            print!("{}", report_text(&r));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

async fn list(config: Config) -> anyhow::Result<ExitCode> {
    let policies = service(&config).await?;
    let all = policies.list().await.context("listing the policies")?;
    if all.is_empty() {
        println!("No attestation policies.");
    }
    for p in all {
        println!("{}: {}", p.name, describe(&p.rules));
    }
    Ok(ExitCode::SUCCESS)
}

fn target_text(t: &PolicyTarget) -> String {
    match t {
        PolicyTarget::Group(g) => format!("the group {g:?}"),
        PolicyTarget::Tier(t) => format!("the {} tier", t.as_str()),
        PolicyTarget::Client(c) => format!("the client {}", c.as_str()),
        PolicyTarget::Console => "the admin console".to_owned(),
    }
}

/// The rules in a line.
pub fn describe(r: &PolicyRules) -> String {
    let mut parts = Vec::new();
    if r.require_attestation {
        parts.push("attestation required".to_owned());
    }
    if r.device_bound {
        parts.push("device-bound only".to_owned());
    }
    if !r.allowed_aaguids.is_empty() {
        let list: Vec<String> = r.allowed_aaguids.iter().map(ToString::to_string).collect();
        parts.push(format!("models {}", list.join(", ")));
    }
    if let Some(l) = r.min_certification {
        parts.push(format!("certified {} or higher", l.as_str()));
    }
    if r.refuse_compromised {
        parts.push("compromised models refused".to_owned());
    }
    if parts.is_empty() {
        "no rules".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The report as printed: the counts, then each affected account.
pub fn report_text(r: &PolicyReport) -> String {
    let mut out = format!(
        "Attestation policy {:?}: {} accounts in scope, {} without a complying passkey, {} passkeys that do not comply.\n",
        r.policy, r.users, r.users_locked_out, r.failing_credentials
    );
    for u in &r.affected {
        out.push_str(&format!(
            "{}{}: {} complying passkey(s)\n",
            u.username,
            if u.locked_out() {
                " (would be refused)"
            } else {
                ""
            },
            u.compliant
        ));
        for c in &u.failing {
            let why: Vec<String> = c
                .violations
                .iter()
                .map(|v| format!("{}: {}", v.rule.code(), v.found.text()))
                .collect();
            out.push_str(&format!(
                "  - {:?} ({}) {}\n",
                c.label,
                c.aaguid.as_deref().unwrap_or("no AAGUID"),
                why.join(" ")
            ));
        }
    }
    out
}
