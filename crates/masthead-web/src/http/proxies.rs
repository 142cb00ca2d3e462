//! Which address a request comes from, behind reverse proxies.
//!
//! Rate limits count per client address. Behind a proxy or load balancer the
//! TCP peer is the proxy, so every reader would share one address; the
//! proxy names the client in `X-Forwarded-For` instead. That header is
//! believed only from the proxies the operator names (`--trusted-proxies
//! CIDR,...`): the client address is the rightmost hop that is not a
//! trusted proxy, since each trusted proxy appends the address it saw and
//! anything left of that could have been written by the client itself.
//! Without trusted proxies the header is ignored.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// A block of addresses: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let wrong = || format!("{text:?} is not an address block like 10.0.0.0/8, 2001:db8::/32 or 127.0.0.1");
        let (address, prefix) = text.split_once('/').map_or((text, None), |(a, p)| (a, Some(p)));
        let network: IpAddr = address.parse().map_err(|_| wrong())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(wrong)?,
        };
        Ok(Self { network, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    /// Whether `ip` is in the block (an IPv4 address mapped into IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let masked = |bits: u128, width: u32| {
            let shift = width - u32::from(self.prefix);
            if shift >= 128 { 0 } else { bits >> shift }
        };
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), 32) == masked(u128::from(u32::from(ip)), 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(u128::from(net), 128) == masked(u128::from(ip), 128),
            _ => false,
        }
    }
}

/// The client address of a request whose TCP peer is `peer`: the peer
/// itself, unless it is a trusted proxy (see the module docs).
pub(crate) fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|block| block.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.iter().rev() {
        // A hop that is not an address ends the chain: what stands left of
        // it cannot be told apart from what the client wrote.
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let block: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(block.contains(ip("10.200.3.4")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.1.2.3")), "IPv4 mapped into IPv6");
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")) && !v6.contains(ip("10.0.0.1")));
        let everything: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "example.com", "::/129", "10.0.0.0/-1"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
        assert_eq!(block.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn the_header_counts_only_from_trusted_proxies() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &trusted), ip("203.0.113.7"), "rightmost untrusted hop");
        assert_eq!(client_address(ip("198.51.100.1"), &headers, &trusted), ip("198.51.100.1"), "an untrusted peer");
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &[]), ip("10.0.0.1"), "no proxies trusted");
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, nonsense, 10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &trusted), ip("10.0.0.2"), "the chain ends at nonsense");
        headers.remove("x-forwarded-for");
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &trusted), ip("10.0.0.1"), "no header");
        headers.append("x-forwarded-for", HeaderValue::from_static("192.0.2.1"));
        headers.append("x-forwarded-for", HeaderValue::from_static("10.9.9.9"));
        assert_eq!(client_address(ip("10.0.0.1"), &headers, &trusted), ip("192.0.2.1"), "several header lines");
    }
}
