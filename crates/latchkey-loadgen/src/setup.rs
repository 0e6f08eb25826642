//! Before the load: find the server, register the clients, enrol the users
//! through their invitations as people would.

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use serde_json::json;

use crate::authenticator::SoftAuthenticator;
use crate::browser::{Browser, http_client, json_of_200};
use crate::idtoken::Jwks;
use crate::ops::{Shared, VirtualUser};
use crate::provision::{ClientSpec, Provision};
use crate::routes;
use crate::target::{Target, user_source_address};

/// Where the relying party wants users back. Nothing listens there: the
/// load generator reads the code from the redirect.
pub const REDIRECT_URI: &str = "http://localhost/latchkey-load/callback";

/// The enrolment endpoints the server has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolRoutes {
    pub options: &'static str,
    pub finish: &'static str,
}

/// The first of the target's addresses that accepts a connection.
pub fn reachable_address(target: &Target) -> anyhow::Result<SocketAddr> {
    let addrs = target.socket_addrs();
    addrs
        .iter()
        .copied()
        .find(|a| TcpStream::connect_timeout(a, Duration::from_secs(2)).is_ok())
        .ok_or_else(|| {
            anyhow!(
                "nothing accepts connections at {} (tried {})",
                target.base,
                addrs
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// What the load generator needs from a running server.
#[derive(Debug)]
pub struct Prepared {
    pub shared: Arc<Shared>,
    pub enrol_routes: EnrolRoutes,
    /// Users connect from addresses of their own (IPv4 targets only).
    pub distinct_addresses: bool,
}

/// Finds the server, registers two clients and enrols `users` users,
/// `parallel` at a time.
pub async fn prepare(
    target: &Target,
    provision: Arc<dyn Provision>,
    users: usize,
    parallel: usize,
    run_id: &str,
) -> anyhow::Result<Prepared> {
    let addr = {
        let t = target.clone();
        tokio::task::spawn_blocking(move || reachable_address(&t)).await??
    };
    let rp = http_client(target, addr, None)?;

    // Discovery: the issuer must be this base URL, or tokens and passkeys
    // (bound to the origin) cannot match.
    let res = rp
        .get(target.url(routes::DISCOVERY))
        .send()
        .await
        .with_context(|| format!("fetching {}", routes::DISCOVERY))?;
    let doc = json_of_200("discovery", res).await?;
    let issuer = doc["issuer"]
        .as_str()
        .ok_or_else(|| anyhow!("the discovery document has no issuer"))?
        .to_owned();
    if issuer.trim_end_matches('/') != target.base {
        bail!(
            "the server's issuer is {issuer}, not {}: pass --base-url {issuer} \
             (passkeys and tokens are bound to the issuer's origin)",
            target.base
        );
    }
    let res = rp.get(target.url(routes::JWKS)).send().await?;
    let jwks = Jwks::parse(&json_of_200("jwks", res).await?);

    let enrol_routes = EnrolRoutes {
        options: routes::ENROL_OPTIONS,
        finish: routes::ENROL_FINISH,
    };

    let public_client = provision
        .create_client(&ClientSpec {
            name: format!("latchkey-load {run_id} (public)"),
            redirect_uri: REDIRECT_URI.into(),
            public: true,
        })
        .await
        .context("registering the public client")?;
    let confidential_client = provision
        .create_client(&ClientSpec {
            name: format!("latchkey-load {run_id} (confidential)"),
            redirect_uri: REDIRECT_URI.into(),
            public: false,
        })
        .await
        .context("registering the confidential client")?;

    let distinct_addresses = addr.is_ipv4();
    // Each run takes its users' addresses from a random place in the
    // range, so that runs right after one another look like other people.
    let mut seed = [0u8; 4];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
        .map_err(|_| anyhow!("the system random number generator failed"))?;
    let address_offset = (u32::from_le_bytes(seed) & 0x003f_ffff) as usize;
    let people = enrol_all(
        target,
        addr,
        distinct_addresses.then_some(address_offset),
        provision,
        enrol_routes,
        users,
        parallel,
        run_id,
    )
    .await?;

    let shared = Arc::new(Shared::new(
        target.clone(),
        issuer,
        rp,
        public_client,
        confidential_client,
        REDIRECT_URI.into(),
        jwks,
        people,
    ));
    Ok(Prepared {
        shared,
        enrol_routes,
        distinct_addresses,
    })
}

#[allow(clippy::too_many_arguments)]
async fn enrol_all(
    target: &Target,
    addr: SocketAddr,
    address_offset: Option<usize>,
    provision: Arc<dyn Provision>,
    paths: EnrolRoutes,
    users: usize,
    parallel: usize,
    run_id: &str,
) -> anyhow::Result<Vec<VirtualUser>> {
    let next = Arc::new(AtomicUsize::new(0));
    let enrolled = Arc::new(Mutex::new(Vec::with_capacity(users)));
    let mut tasks = Vec::new();
    for _ in 0..parallel.clamp(1, users.max(1)) {
        let (next, enrolled, provision) = (next.clone(), enrolled.clone(), provision.clone());
        let (target, run_id) = (target.clone(), run_id.to_owned());
        tasks.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= users {
                    return anyhow::Ok(());
                }
                let source = address_offset.map(|o| IpAddr::V4(user_source_address(o + index)));
                let browser = Browser::new(http_client(&target, addr, source)?, &target);
                let user = enrol(&target, &*provision, paths, browser, index, &run_id)
                    .await
                    .with_context(|| format!("enrolling user {index}"))?;
                enrolled
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(user);
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let mut people = std::mem::take(&mut *enrolled.lock().unwrap_or_else(PoisonError::into_inner));
    people.sort_by_key(|u| u.index);
    Ok(people)
}

/// One person: an invitation from the CLI, the invitation page, a passkey
/// registered, the onboarding page.
async fn enrol(
    target: &Target,
    provision: &dyn Provision,
    paths: EnrolRoutes,
    mut browser: Browser,
    index: usize,
    run_id: &str,
) -> anyhow::Result<VirtualUser> {
    let username = format!("load-{run_id}-{index}");
    let link = provision.invite(&format!("{username}@example.com")).await?;
    let token = link
        .rsplit_once(routes::INVITE)
        .map(|(_, t)| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow!("{link:?} is not an invitation link"))?;
    browser
        .page("invitation page", &format!("{}{token}", routes::INVITE))
        .await?;
    let options = browser
        .post_json(
            "enrol/options",
            paths.options,
            &json!({
                "grant": "invite",
                "token": token,
                "username": username,
                "display_name": format!("Load User {index}"),
            }),
        )
        .await?;
    let mut auth = SoftAuthenticator::new();
    let credential = auth
        .try_register(&options, &target.origin)
        .map_err(|e| anyhow!("the soft authenticator refused to register: {e}"))?;
    let done = browser
        .post_json(
            "enrol/finish",
            paths.finish,
            &json!({ "ceremony": options["ceremony"], "credential": credential, "next": null }),
        )
        .await?;
    let landing = done["redirect"]
        .as_str()
        .unwrap_or(routes::ONBOARDING)
        .to_owned();
    browser.page("onboarding page", &landing).await?;
    Ok(VirtualUser {
        index,
        username,
        browser,
        auth,
        tokens: None,
    })
}
