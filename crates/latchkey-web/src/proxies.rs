//! The reverse proxies whose `X-Forwarded-For` is believed, and how the
//! client's address is read through them.

use std::net::IpAddr;

use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed. Empty (the
/// default): the client is the TCP peer and forwarded headers are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Parses `10.0.0.0/8`, `192.0.2.7` (one address) or `2001:db8::/32`.
    pub fn parse_network(s: &str) -> Result<IpNet, String> {
        let s = s.trim();
        s.parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| format!("{s:?} is not an IP address or CIDR network"))
    }

    pub fn networks(&self) -> &[IpNet] {
        &self.0
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request from `peer` carrying these
    /// `X-Forwarded-For` values: from the right, the first address that is
    /// not a trusted proxy (what a trusted proxy saw). A request whose peer
    /// is not trusted, or a malformed entry, ends the walk: nothing left of
    /// an untrusted hop can be believed.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .rev()
            .flat_map(|h| h.rsplit(','))
            .map(str::trim);
        for hop in hops {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                return client;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            list.iter()
                .map(|s| TrustedProxies::parse_network(s).unwrap())
                .collect(),
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_ip(ip("10.0.0.2"), &["203.0.113.9"]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let p = proxies(&["10.0.0.0/8", "192.0.2.7"]);
        // client → 192.0.2.7 (trusted edge) → 10.0.0.5 (trusted) → us
        assert_eq!(
            p.client_ip(ip("10.0.0.5"), &["203.0.113.9, 192.0.2.7"]),
            ip("203.0.113.9")
        );
        // A client cannot choose its address by sending the header itself.
        assert_eq!(
            p.client_ip(ip("10.0.0.5"), &["1.1.1.1, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        // Several header lines count as one list, in order.
        assert_eq!(
            p.client_ip(ip("10.0.0.5"), &["1.1.1.1", "203.0.113.9, 192.0.2.7"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn an_untrusted_peer_or_a_malformed_hop_stops_the_walk() {
        let p = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            p.client_ip(ip("203.0.113.1"), &["1.1.1.1"]),
            ip("203.0.113.1")
        );
        assert_eq!(
            p.client_ip(ip("10.0.0.5"), &["1.1.1.1, garbage"]),
            ip("10.0.0.5")
        );
        assert_eq!(p.client_ip(ip("10.0.0.5"), &[]), ip("10.0.0.5"));
        // Only proxies all the way: the leftmost is as far as we can see.
        assert_eq!(p.client_ip(ip("10.0.0.5"), &["10.9.9.9"]), ip("10.9.9.9"));
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_and_ipv6_networks() {
        let p = proxies(&["127.0.0.1", "2001:db8::/32"]);
        assert_eq!(
            p.client_ip(ip("::ffff:127.0.0.1"), &["198.51.100.4"]),
            ip("198.51.100.4")
        );
        assert_eq!(
            p.client_ip(ip("2001:db8::1"), &["2001:db8::2, 2a00::1"]),
            ip("2a00::1")
        );
        assert!(TrustedProxies::parse_network("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse_network("proxy.local").is_err());
    }
}
