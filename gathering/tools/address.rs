//! Which network addresses outbound requests of agents may reach: only public unicast ones.
//! Used by the HTTP tool (for IP literals, every resolved address and every redirect) unless
//! `GATHERING_HTTP_ALLOW_PRIVATE=true`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is not a public unicast address: private, loopback, link-local, unique-local,
/// unspecified, multicast, broadcast, reserved, documentation, benchmarking, CGNAT, or an
/// IPv6 form embedding such an IPv4 address.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => forbidden_v4(ip),
        IpAddr::V6(ip) => forbidden_v6(ip),
    }
}

fn in_v4(ip: Ipv4Addr, network: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from_be_bytes(network) & mask
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    const BLOCKS: [([u8; 4], u32); 15] = [
        ([0, 0, 0, 0], 8),       // "this network", unspecified
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local (cloud metadata)
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
        ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, and the broadcast 255.255.255.255
    ];
    BLOCKS
        .iter()
        .any(|&(network, prefix)| in_v4(ip, network, prefix))
}

fn in_v6(ip: Ipv6Addr, network: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(network)) & mask
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    // Forms embedding an IPv4 address in their last 32 bits: IPv4-mapped (::ffff:0:0/96),
    // IPv4-compatible (::/96, which holds :: and ::1 as 0.0.0.0 and 0.0.0.1), IPv4-translated
    // (::ffff:0:0:0/96) and NAT64 (64:ff9b::/96).
    let last_32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96)
        || in_v6(ip, [0; 8], 96)
        || in_v6(ip, [0, 0, 0, 0, 0xffff, 0, 0, 0], 96)
        || in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96)
    {
        return ip.is_unspecified() || ip.is_loopback() || forbidden_v4(last_32);
    }
    // 6to4 (2002::/16) embeds an IPv4 address in bits 16..48.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let embedded = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return forbidden_v4(embedded);
    }
    // Only global unicast (2000::/3) may be public: this leaves out unique-local (fc00::/7),
    // link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8), discard-only
    // (100::/64), local-use NAT64 (64:ff9b:1::/48), SRv6 (5f00::/16) and the rest.
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return true;
    }
    const BLOCKS: [([u16; 8], u32); 3] = [
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (Teredo...)
        ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
    ];
    BLOCKS
        .iter()
        .any(|&(network, prefix)| in_v6(ip, network, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn classifies_ipv4_addresses() {
        for forbidden in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(
                is_forbidden(ip(forbidden)),
                "{forbidden} should be forbidden"
            );
        }
        for allowed in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "128.0.0.1",
            "169.253.0.1",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.3.1",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.255",
        ] {
            assert!(!is_forbidden(ip(allowed)), "{allowed} should be allowed");
        }
    }

    #[test]
    fn classifies_ipv6_addresses() {
        for forbidden in [
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::10.1.2.3",
            "::ffff:0:192.168.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "fc00::1",
            "fd12:3456:789a::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "100::1",
            "2001:db8::1",
            "2001::1",
            "2001:2::1",
            "3fff::1",
            "5f00::1",
            "4000::1",
        ] {
            assert!(
                is_forbidden(ip(forbidden)),
                "{forbidden} should be forbidden"
            );
        }
        for allowed in [
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2a00:1450:4007:80f::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!is_forbidden(ip(allowed)), "{allowed} should be allowed");
        }
    }
}
