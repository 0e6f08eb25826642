//! The only servers the load generator will talk to: those on this machine.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// A base URL that names a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `scheme://host:port` without a trailing slash.
    pub base: String,
    /// The origin browsers would send (`Origin` header, clientDataJSON).
    pub origin: String,
    /// `localhost`, an IPv4 literal or an IPv6 literal (without brackets).
    pub host: String,
    pub port: u16,
}

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    Unparsable(String),
    Scheme(String),
    NotLoopback(String),
    HasPath(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparsable(u) => write!(f, "{u:?} is not a URL"),
            Self::Scheme(u) => write!(f, "{u:?}: only http:// and https:// are supported"),
            Self::NotLoopback(u) => write!(
                f,
                "{u:?} is not on this machine: latchkey-load only targets localhost, \
                 127.0.0.0/8 or [::1]"
            ),
            Self::HasPath(u) => write!(
                f,
                "{u:?}: give the server's base URL (its issuer), without a path or query"
            ),
        }
    }
}

impl std::error::Error for TargetError {}

/// Whether `ip` is a loopback address (127.0.0.0/8, ::1, or ::ffff:127.x.y.z).
pub fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

impl Target {
    /// Parses `base` and refuses anything but a loopback host. A name other
    /// than `localhost` is refused even if it resolves to loopback today:
    /// what it resolves to can change between the check and the load.
    pub fn parse(base: &str) -> Result<Self, TargetError> {
        let url = Url::parse(base).map_err(|_| TargetError::Unparsable(base.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme(base.to_owned()));
        }
        let host = match url.host() {
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => "localhost".to_owned(),
            Some(Host::Ipv4(v4)) if v4.is_loopback() => v4.to_string(),
            Some(Host::Ipv6(v6)) if is_loopback_ip(IpAddr::V6(v6)) => v6.to_string(),
            _ => return Err(TargetError::NotLoopback(base.to_owned())),
        };
        if (url.path() != "/" && !url.path().is_empty()) || url.query().is_some() {
            return Err(TargetError::HasPath(base.to_owned()));
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| TargetError::Unparsable(base.to_owned()))?;
        let origin = url.origin().ascii_serialization();
        Ok(Self {
            base: origin.clone(),
            origin,
            host,
            port,
        })
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The addresses to connect to, in order of preference: `localhost` is
    /// resolved here (to 127.0.0.1, then ::1), never through DNS.
    pub fn socket_addrs(&self) -> Vec<SocketAddr> {
        match self.host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, self.port)],
            Err(_) => vec![
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.port),
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), self.port),
            ],
        }
    }
}

/// The loopback source address of virtual user `index`: 127.64.0.0/10 and
/// up, so every user looks like a machine of its own to per-address rate
/// limits, as real users do. Linux routes all of 127.0.0.0/8 to `lo`.
pub fn user_source_address(index: usize) -> Ipv4Addr {
    let n = u32::try_from(index).unwrap_or(u32::MAX).wrapping_add(1) & 0x003f_ffff;
    Ipv4Addr::new(127, 64 + (n >> 16) as u8, (n >> 8) as u8, n as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_accepted() {
        for (base, host) in [
            ("http://localhost:8080", "localhost"),
            ("http://LOCALHOST:8080/", "localhost"),
            ("http://127.0.0.1:1234", "127.0.0.1"),
            ("http://127.9.8.7:1234", "127.9.8.7"),
            ("http://[::1]:8080", "::1"),
            ("https://localhost", "localhost"),
        ] {
            let t = Target::parse(base).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(t.host, host);
        }
        let t = Target::parse("http://localhost:8080/").unwrap();
        assert_eq!(t.base, "http://localhost:8080");
        assert_eq!(t.origin, "http://localhost:8080");
        assert_eq!(t.url("/token"), "http://localhost:8080/token");
        assert_eq!(Target::parse("https://localhost").unwrap().port, 443);
    }

    #[test]
    fn anything_off_this_machine_is_refused_with_a_clear_error() {
        for base in [
            "http://example.com",
            "http://10.0.0.1:8080",
            "http://192.168.1.10",
            "http://172.16.0.1",
            "http://0.0.0.0:8080",
            "http://[::]:8080",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://128.0.0.1",
        ] {
            let err = Target::parse(base).unwrap_err();
            assert_eq!(err, TargetError::NotLoopback(base.to_owned()), "{base}");
            assert!(err.to_string().contains("only targets localhost"), "{err}");
        }
        assert!(matches!(
            Target::parse("ftp://localhost"),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(
            Target::parse("not a url"),
            Err(TargetError::Unparsable(_))
        ));
        assert!(matches!(
            Target::parse("http://localhost:8080/realm"),
            Err(TargetError::HasPath(_))
        ));
    }

    #[test]
    fn ipv4_mapped_loopback_counts_as_loopback() {
        assert!(is_loopback_ip("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!is_loopback_ip("::ffff:10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn users_get_distinct_loopback_source_addresses() {
        let a = user_source_address(0);
        let b = user_source_address(1);
        let c = user_source_address(70_000);
        assert_eq!(a, Ipv4Addr::new(127, 64, 0, 1));
        assert_eq!(b, Ipv4Addr::new(127, 64, 0, 2));
        assert_ne!(a, c);
        for i in [0, 255, 256, 65_535, 65_536, 100_000] {
            assert!(user_source_address(i).is_loopback());
        }
    }
}
