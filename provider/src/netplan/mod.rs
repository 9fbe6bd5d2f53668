//! Plan-time network arithmetic for `migration_hub_network` and
//! `migration_client_vpn_group_access`.
//!
//! Everything here is pure: the resources call it while planning so that a
//! configuration AWS would reject (overlapping CIDRs, a route that already
//! exists, an authorization rule shadowed by another group's) is reported before
//! any API call, with the prefixes involved. The algorithms sort once and sweep,
//! so a hub with thousands of prefixes costs O(n log n) plus the size of the
//! answer.
//!
//! Two facts about CIDR prefixes make the sweeps work: two prefixes of one
//! family either nest or are disjoint, and sorting by (family, network address,
//! prefix length) puts every prefix before all the prefixes it contains.

pub(crate) mod cidr;
pub(crate) mod coverage;
pub mod lpm;
pub mod mesh;
pub mod overlap;
pub mod reachability;
pub(crate) mod sets;
pub(crate) mod shadowing;

#[cfg(test)]
mod testgen;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A prefix tagged with what it belongs to (a network key, an AD group SID,
/// an attribute path), so that a finding can name the configuration it came
/// from rather than only the addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled<L> {
    /// What the prefix belongs to.
    pub label: L,
    /// The prefix itself; host bits are ignored.
    pub prefix: IpNet,
}

/// A prefix as the closed range of addresses it covers. The derived order
/// (family, start, length) is the sweep order: a prefix sorts before every
/// prefix it contains. IPv4 and IPv6 are separate families and never meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    family: u8,
    start: u128,
    len: u8,
    end: u128,
}

impl Span {
    /// Host bits are ignored: a prefix means the network it names.
    fn of(net: &IpNet) -> Span {
        match net {
            IpNet::V4(n) => Span {
                family: 4,
                start: u128::from(u32::from(n.network())),
                len: n.prefix_len(),
                end: u128::from(u32::from(n.broadcast())),
            },
            IpNet::V6(n) => Span {
                family: 6,
                start: u128::from(n.network()),
                len: n.prefix_len(),
                end: u128::from(n.broadcast()),
            },
        }
    }

    fn contains(&self, other: &Span) -> bool {
        self.family == other.family && self.start <= other.start && other.end <= self.end
    }
}

/// The number of address bits of a [`Span`] family.
fn width(family: u8) -> u8 {
    if family == 4 { 32 } else { 128 }
}

/// The network of `family` at `start` with prefix length `len`; `start` has no host bits.
fn network(family: u8, start: u128, len: u8) -> IpNet {
    let net = match family {
        // A v4 span's addresses fit in 32 bits by construction.
        4 => Ipv4Net::new(Ipv4Addr::from_bits(start as u32), len).map(IpNet::V4),
        _ => Ipv6Net::new(Ipv6Addr::from_bits(start), len).map(IpNet::V6),
    };
    net.expect("a prefix length within the family's width")
}

/// Whether disjoint `parts`, sorted by address, leave no address of `whole`.
fn tiles(whole: &Span, parts: &[Span]) -> bool {
    match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => {
            first.start == whole.start
                && last.end == whole.end
                // Disjoint and sorted, so `end + 1` cannot overflow.
                && parts.windows(2).all(|w| w[0].end + 1 == w[1].start)
        }
        _ => false,
    }
}
