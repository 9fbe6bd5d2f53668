//! Small prefix universes for property tests. Every generated prefix is a union
//! of "atoms" that no generated prefix splits, and [`samples`] holds one address
//! per atom, so a question about address sets is decided exactly by the samples.

use super::Labelled;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(super) fn v4(host: u8, len: u8) -> IpNet {
    IpNet::V4(
        Ipv4Net::new(Ipv4Addr::new(10, 0, 0, host), len)
            .unwrap()
            .trunc(),
    )
}

pub(super) fn v6(host: u8, len: u8) -> IpNet {
    let addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, u16::from(host));
    IpNet::V6(Ipv6Net::new(addr, len).unwrap().trunc())
}

/// Prefixes inside 10.0.0.0/24 (mostly short, so that nesting, duplicates and
/// adjacent halves are common), the wide 10.0.0.0/16, 10.0.0.0/8 and
/// 0.0.0.0/0, and the IPv6 counterparts inside fd00::/120 plus ::/0 to show
/// that families never meet.
pub(super) fn prefix() -> impl Strategy<Value = IpNet> {
    let extra = prop_oneof![3 => 0u8..=3, 1 => 4u8..=8];
    let sub = extra.prop_flat_map(|e| (0..1u16 << e).prop_map(move |i| ((i << (8 - e)) as u8, e)));
    prop_oneof![
        6 => sub.clone().prop_map(|(host, e)| v4(host, 24 + e)),
        1 => prop_oneof![Just(0u8), Just(8), Just(16)].prop_map(|len| v4(0, len)),
        3 => sub.prop_map(|(host, e)| v6(host, 120 + e)),
        1 => Just(v6(0, 0)),
    ]
}

/// One address per atom of the [`prefix`] universe.
pub(super) fn samples() -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = (0..=255u8)
        .flat_map(|h| [v4(h, 32).addr(), v6(h, 128).addr()])
        .collect();
    out.extend(
        ["10.0.1.0", "10.1.0.0", "11.0.0.0", "2001:db8::"].map(|a| a.parse::<IpAddr>().unwrap()),
    );
    out
}

/// Parses a CIDR written in a test.
pub(super) fn net(text: &str) -> IpNet {
    text.parse().unwrap()
}

/// Labelled prefixes written in a test.
pub(super) fn labelled<L: Copy>(items: &[(L, &str)]) -> Vec<Labelled<L>> {
    items
        .iter()
        .map(|&(label, p)| Labelled {
            label,
            prefix: net(p),
        })
        .collect()
}
