//! The client's address behind reverse proxies: `X-Forwarded-For` is believed only when the
//! connection comes from a proxy the shop named (`--trusted-proxy CIDR`), and then the client is
//! the last address in it that is not itself a trusted proxy. Anyone else's header is ignored,
//! so a stranger cannot pick the address their rate limits are counted against.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The networks whose connections may say who the client is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses; anything else is an error naming it.
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<TrustedProxies, String> {
        let mut nets = Vec::with_capacity(list.len());
        for item in list {
            let text = item.as_ref().trim();
            if text.is_empty() {
                continue;
            }
            let net = text
                .parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("--trusted-proxy {text:?} is not a CIDR (10.0.0.0/8) or an address"))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        // Each proxy appends the address it received the request from; walk back from the
        // nearest until an address that is not a trusted proxy (the client as our proxies saw it).
        let mut nearest_trusted = peer;
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(text) = value.to_str() else { return nearest_trusted };
            for part in text.rsplit(',') {
                let Ok(ip) = part.trim().parse::<IpAddr>() else { return nearest_trusted };
                if !self.contains(ip) {
                    return ip;
                }
                nearest_trusted = ip;
            }
        }
        nearest_trusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let forged = headers(&["203.0.113.7"]);
        assert_eq!(trusted.client(ip("198.51.100.1"), &forged), ip("198.51.100.1"));
        assert_eq!(TrustedProxies::default().client(ip("10.0.0.1"), &forged), ip("10.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_last_untrusted_address() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.1"]).unwrap();
        // A client that sent its own forged header, then two of our proxies.
        let chain = headers(&["1.1.1.1, 203.0.113.7", "192.0.2.1"]);
        assert_eq!(trusted.client(ip("10.1.2.3"), &chain), ip("203.0.113.7"));
        assert_eq!(trusted.client(ip("10.1.2.3"), &HeaderMap::new()), ip("10.1.2.3"));
        assert_eq!(trusted.client(ip("10.1.2.3"), &headers(&["garbage"])), ip("10.1.2.3"));
    }

    #[test]
    fn a_malformed_cidr_is_refused_with_its_text() {
        let err = TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
    }
}
