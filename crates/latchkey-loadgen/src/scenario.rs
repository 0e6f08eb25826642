//! The operations and the scenarios made of them.

use std::fmt;
use std::str::FromStr;

/// One thing a client of the server does, timed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// The full authorization code flow with a passkey sign-in and PKCE,
    /// ending with a verified ID token.
    Signin,
    /// A refresh token rotated at the token endpoint.
    Refresh,
    /// A token for a confidential client (`client_credentials`).
    ClientCredentials,
    /// `/userinfo` with a user's access token.
    Userinfo,
    /// RFC 7662 introspection of an access token by its client.
    Introspect,
    /// The discovery document.
    Discovery,
    /// The JWKS.
    Jwks,
}

impl Op {
    pub const ALL: [Op; 7] = [
        Op::Signin,
        Op::Refresh,
        Op::ClientCredentials,
        Op::Userinfo,
        Op::Introspect,
        Op::Discovery,
        Op::Jwks,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::Signin => "signin",
            Op::Refresh => "refresh",
            Op::ClientCredentials => "client-credentials",
            Op::Userinfo => "userinfo",
            Op::Introspect => "introspect",
            Op::Discovery => "discovery",
            Op::Jwks => "jwks",
        }
    }

    /// Needs a signed-in user (a virtual user's tokens).
    pub fn needs_user_tokens(self) -> bool {
        matches!(self, Op::Refresh | Op::Userinfo)
    }
}

/// The blend of `mixed`, in operations per hundred: each sign-in is
/// followed by the API traffic of an application session (refreshes,
/// userinfo, resource servers introspecting), plus service-to-service
/// tokens and relying parties re-reading discovery and keys.
pub const MIX: [(Op, u32); 7] = [
    (Op::Signin, 5),
    (Op::Refresh, 15),
    (Op::Userinfo, 25),
    (Op::Introspect, 15),
    (Op::ClientCredentials, 20),
    (Op::Discovery, 10),
    (Op::Jwks, 10),
];

/// What a run drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    One(Op),
    /// Every operation, interleaved in the proportions of [`MIX`].
    Mixed(Vec<Op>),
}

/// The order of a weighted blend: smooth weighted round robin, so each
/// kind is spread evenly through the cycle rather than bunched.
pub fn blend(weights: &[(Op, u32)]) -> Vec<Op> {
    let total: i64 = weights.iter().map(|&(_, w)| i64::from(w)).sum();
    let mut current = vec![0i64; weights.len()];
    let mut out = Vec::new();
    for _ in 0..total {
        for (c, &(_, w)) in current.iter_mut().zip(weights) {
            *c += i64::from(w);
        }
        let Some((best, _)) = current
            .iter()
            .enumerate()
            .max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i)))
        else {
            break;
        };
        current[best] -= total;
        out.push(weights[best].0);
    }
    out
}

impl Scenario {
    pub fn mixed() -> Self {
        Scenario::Mixed(blend(&MIX))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scenario::One(op) => op.name(),
            Scenario::Mixed(_) => "mixed",
        }
    }

    /// The operation of the `n`-th turn.
    pub fn op_at(&self, n: usize) -> Op {
        match self {
            Scenario::One(op) => *op,
            Scenario::Mixed(cycle) => cycle[n % cycle.len()],
        }
    }

    pub fn ops(&self) -> Vec<Op> {
        match self {
            Scenario::One(op) => vec![*op],
            Scenario::Mixed(cycle) => {
                let mut v = cycle.clone();
                v.sort();
                v.dedup();
                v
            }
        }
    }

    /// Every scenario, in the order a full run takes them.
    pub fn all() -> Vec<Scenario> {
        Op::ALL
            .iter()
            .map(|&op| Scenario::One(op))
            .chain([Scenario::mixed()])
            .collect()
    }

    /// Parses a comma-separated list; `all` is every scenario.
    pub fn parse_list(s: &str) -> Result<Vec<Scenario>, String> {
        let mut out: Vec<Scenario> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "all" {
                out.extend(Scenario::all());
            } else {
                out.push(part.parse()?);
            }
        }
        if out.is_empty() {
            return Err("no scenario given".into());
        }
        Ok(out)
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scenario {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        if s == "mixed" {
            return Ok(Scenario::mixed());
        }
        Op::ALL
            .iter()
            .find(|op| op.name() == s)
            .map(|&op| Scenario::One(op))
            .ok_or_else(|| {
                format!(
                    "unknown scenario {s:?}; choose from {}, mixed, all",
                    Op::ALL.map(Op::name).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blend_has_the_weights_and_spreads_them() {
        let cycle = blend(&MIX);
        assert_eq!(cycle.len(), 100);
        for (op, w) in MIX {
            assert_eq!(
                cycle.iter().filter(|&&o| o == op).count() as u32,
                w,
                "{op:?}"
            );
        }
        // Sign-ins (5 in 100) are spread out, never back to back.
        let at: Vec<usize> = (0..100).filter(|&i| cycle[i] == Op::Signin).collect();
        assert!(at.windows(2).all(|w| w[1] - w[0] >= 10), "{at:?}");
    }

    #[test]
    fn scenarios_parse_by_name() {
        assert_eq!(
            "client_credentials".parse::<Scenario>(),
            Ok(Scenario::One(Op::ClientCredentials))
        );
        assert_eq!(Scenario::parse_list("signin, jwks").unwrap().len(), 2);
        assert_eq!(Scenario::parse_list("all").unwrap().len(), 8);
        assert!(
            Scenario::parse_list("bogus")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(Scenario::parse_list("").is_err());
        assert_eq!(Scenario::mixed().ops().len(), 7);
        assert_eq!(Scenario::mixed().name(), "mixed");
    }
}
