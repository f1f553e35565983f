//! `GET /redirect_location`: where a (short) link redirects to, as Mattermost finds it: one
//! `HEAD` request, redirects not followed, the answer's `Location` header.
//!
//! The request goes out on a user's behalf, so it is bounded (timeouts, no body read) and
//! never reaches an internal address: the host is resolved first, internal addresses are
//! dropped (unless `ServiceSettings.AllowedUntrustedInternalConnections` names the host, the
//! address or its range), and the connection goes only to the addresses that were checked.
//! Every failure, a refused address included, is Mattermost's empty `location`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::{Host, Url};

use crate::state::AppState;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Resolution, connection, TLS and the response head together.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// A longer `Location` is not passed on.
const MAX_LOCATION: usize = 8 * 1024;

/// The `Location` the URL answers with; "" when link previews are off, there is none, or the
/// URL cannot or may not be fetched.
pub async fn redirect_location(state: &AppState, raw_url: &str) -> String {
    let config = state.config();
    if !config.service.enable_link_previews {
        return String::new();
    }
    let allowed = Allowed::parse(&config.service.allowed_untrusted_internal_connections);
    match tokio::time::timeout(TOTAL_TIMEOUT, head_location(raw_url, &allowed)).await {
        Ok(Some(location)) => location,
        _ => String::new(),
    }
}

async fn head_location(raw_url: &str, allowed: &Allowed) -> Option<String> {
    let url = Url::parse(raw_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let port = url.port_or_known_default()?;
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT);
    match url.host()? {
        Host::Ipv4(ip) => allowed.permits(None, IpAddr::V4(ip)).then_some(())?,
        Host::Ipv6(ip) => allowed.permits(None, IpAddr::V6(ip)).then_some(())?,
        Host::Domain(name) => {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
                .await
                .ok()?
                .filter(|a| allowed.permits(Some(name), a.ip()))
                .collect();
            if addresses.is_empty() {
                tracing::debug!(host = name, "redirect_location: no address may be reached");
                return None;
            }
            // Pinned: the client connects to these addresses and resolves nothing itself.
            client = client.resolve_to_addrs(name, &addresses);
        }
    }
    let response = client.build().ok()?.head(url).send().await.ok()?;
    let location = response.headers().get(reqwest::header::LOCATION)?;
    let location = location.to_str().ok()?;
    (location.len() <= MAX_LOCATION).then(|| location.to_string())
}

/// `AllowedUntrustedInternalConnections`: host names, addresses and CIDR ranges.
#[derive(Debug, Default)]
struct Allowed {
    hosts: Vec<String>,
    ranges: Vec<(IpAddr, u8)>,
}

impl Allowed {
    fn parse(setting: &str) -> Allowed {
        let mut allowed = Allowed::default();
        for entry in setting.split(|c: char| c.is_whitespace() || c == ',') {
            if entry.is_empty() {
                continue;
            }
            let (address, bits) = match entry.split_once('/') {
                Some((address, bits)) => (address, bits.parse::<u8>().ok()),
                None => (entry, None),
            };
            match address.trim_matches(['[', ']']).parse::<IpAddr>() {
                Ok(ip) => {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    let bits = bits.unwrap_or(max);
                    if bits <= max {
                        allowed.ranges.push((ip, bits));
                    }
                }
                Err(_) => allowed.hosts.push(entry.to_ascii_lowercase()),
            }
        }
        allowed
    }

    /// Whether a connection to `ip` (found for `host`) may be made.
    fn permits(&self, host: Option<&str>, ip: IpAddr) -> bool {
        if !is_internal(ip) {
            return true;
        }
        host.is_some_and(|h| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h)))
            || self
                .ranges
                .iter()
                .any(|(net, bits)| in_range(ip, *net, *bits))
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Addresses that are not on the public internet: this host, private and shared networks,
/// link-local (cloud metadata at 169.254.169.254), multicast and reserved ranges, and IPv6
/// forms that embed such an IPv4 address.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_internal_v4(ip),
        IpAddr::V6(ip) => is_internal_v6(ip),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded = |high: u16, low: u16| {
        let [h1, h2] = high.to_be_bytes();
        let [l1, l2] = low.to_be_bytes();
        Ipv4Addr::new(h1, h2, l1, l2)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
    if segments[..6] == [0; 6] || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return ip.is_unspecified()
            || ip.is_loopback()
            || is_internal_v4(embedded(segments[6], segments[7]));
    }
    // 6to4 (2002:a.b.c.d::/48).
    if segments[0] == 0x2002 {
        return is_internal_v4(embedded(segments[1], segments[2]));
    }
    ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses() {
        for internal in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:0a00:0001::1",
            "ff02::1",
        ] {
            assert!(is_internal(ip(internal)), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "2002:0808:0808::1",
        ] {
            assert!(!is_internal(ip(public)), "{public}");
        }
    }

    #[test]
    fn allow_list_by_host_address_and_range() {
        let allowed = Allowed::parse(" intranet.example  10.0.0.0/8,127.0.0.1 [::1] bad/99 ");
        assert!(allowed.permits(Some("INTRANET.example"), ip("192.168.1.1")));
        assert!(allowed.permits(None, ip("10.200.0.1")));
        assert!(allowed.permits(None, ip("127.0.0.1")));
        assert!(!allowed.permits(None, ip("127.0.0.2")));
        assert!(allowed.permits(None, ip("::1")));
        assert!(!allowed.permits(Some("other.example"), ip("169.254.169.254")));
        assert!(allowed.permits(None, ip("8.8.8.8")));
        assert!(!Allowed::default().permits(Some("localhost"), ip("127.0.0.1")));
        assert!(in_range(ip("1.2.3.4"), ip("0.0.0.0"), 0));
    }
}
