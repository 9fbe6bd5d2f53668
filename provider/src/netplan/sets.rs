//! CIDR blocks as sets of addresses: whether one lies inside another, what is left of a block
//! once other networks are taken out of it, and the fewest blocks covering a union.
//!
//! A set of addresses has exactly one shortest description as CIDR blocks: its maximal blocks,
//! the blocks wholly in the set whose parent (one bit shorter) is not. Two blocks either nest
//! or are disjoint, so the maximal blocks are disjoint, every block of any exact description
//! lies inside one of them, and each of them needs at least one. [`subtract`] and [`summarize`]
//! answer that description, in address order (IPv4 before IPv6, then by network address), so
//! equal sets always come out as equal lists. IPv4 and IPv6 are separate families: an address
//! of one is never inside a network of the other.

use super::coverage::merged_runs;
use super::{Span, network, width};
use ipnet::IpNet;

/// Whether every address of `inner` is an address of `container` (an equal network is inside).
/// Host bits are ignored; a network of the other family is never inside.
pub(crate) fn contains(container: &IpNet, inner: &IpNet) -> bool {
    Span::of(container).contains(&Span::of(inner))
}

/// The addresses of `whole` that are in none of `removed`, as the fewest CIDR blocks, in
/// address order. Removed networks that do not meet `whole` (outside it, or of the other
/// family) change nothing; removing all of it leaves an empty list. Host bits are ignored.
///
/// O(r log r) for r removed networks, plus the answer, which has at most two blocks per prefix
/// length for each gap between removed networks.
pub(crate) fn subtract(whole: &IpNet, removed: &[IpNet]) -> Vec<IpNet> {
    let whole = Span::of(whole);
    let mut out = Vec::new();
    // The first address not yet decided; `None` once the end of `whole` is decided.
    let mut next = Some(whole.start);
    for run in merged_runs(removed) {
        let Some(from) = next else { break };
        if run.family != whole.family || run.end < from {
            continue;
        }
        if run.start > whole.end {
            break;
        }
        if run.start > from {
            blocks(whole.family, from, run.start - 1, &mut out);
        }
        next = (run.end < whole.end).then(|| run.end + 1);
    }
    if let Some(from) = next {
        blocks(whole.family, from, whole.end, &mut out);
    }
    out
}

/// The union of `prefixes` as the fewest CIDR blocks, in address order: duplicates and
/// networks inside others disappear, adjacent networks merge (two halves become their parent).
/// IPv4 and IPv6 are summarized apart. Host bits are ignored.
///
/// O(n log n) for n prefixes, plus the answer.
pub(crate) fn summarize(prefixes: &[IpNet]) -> Vec<IpNet> {
    let mut out = Vec::new();
    for run in merged_runs(prefixes) {
        blocks(run.family, run.start, run.end, &mut out);
    }
    out
}

/// Appends the maximal blocks of the addresses `start..=end` of `family` (`start <= end`), in
/// address order: from `start`, the largest block aligned there that ends by `end`, and so on.
fn blocks(family: u8, mut start: u128, end: u128, out: &mut Vec<IpNet>) {
    let bits = u32::from(width(family));
    // The host part of a block with `host` host bits.
    let mask = |host: u32| {
        if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        }
    };
    loop {
        let mut host = start.trailing_zeros().min(bits);
        // A block aligned at `start` ends at `start | mask`; shrink it until it fits.
        while start | mask(host) > end {
            host -= 1;
        }
        // `host <= bits <= 128`, so the prefix length fits in a u8.
        out.push(network(family, start, (bits - host) as u8));
        let last = start | mask(host);
        if last >= end {
            break;
        }
        start = last + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testgen::{self, net, v4, v6};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::IpAddr;

    fn nets(items: &[&str]) -> Vec<IpNet> {
        items.iter().map(|s| net(s)).collect()
    }

    fn texts(items: &[IpNet]) -> Vec<String> {
        items.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn containment_of_networks_and_addresses() {
        for (container, inner, inside) in [
            ("10.0.0.0/16", "10.0.1.0/24", true),
            ("10.0.0.0/16", "10.0.0.0/16", true),
            ("10.0.1.0/24", "10.0.0.0/16", false),
            ("10.0.0.0/16", "10.1.0.0/24", false),
            ("10.0.0.0/16", "10.0.255.255/32", true),
            ("10.0.0.0/16", "10.1.0.0/32", false),
            ("0.0.0.0/0", "255.255.255.255/32", true),
            ("0.0.0.0/0", "0.0.0.0/0", true),
            ("fd00::/8", "fd00:0:0:7::/64", true),
            ("fd00::/8", "fe00::/64", false),
            ("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", true),
            // Families never meet, not even through IPv4-mapped IPv6 addresses.
            ("0.0.0.0/0", "::/0", false),
            ("::/0", "10.0.0.1/32", false),
            ("10.0.0.0/8", "::ffff:10.0.0.1/128", false),
        ] {
            assert_eq!(
                contains(&net(container), &net(inner)),
                inside,
                "{container} ⊇ {inner}"
            );
        }
    }

    #[test]
    fn subtracting_a_subnet_leaves_one_block_per_level() {
        let left = subtract(&net("10.0.0.0/16"), &nets(&["10.0.1.0/24"]));
        assert_eq!(
            texts(&left),
            [
                "10.0.0.0/24",
                "10.0.2.0/23",
                "10.0.4.0/22",
                "10.0.8.0/21",
                "10.0.16.0/20",
                "10.0.32.0/19",
                "10.0.64.0/18",
                "10.0.128.0/17",
            ]
        );
        // Two subnets, one of them inside another, one duplicated, one outside, one IPv6.
        let left = subtract(
            &net("10.0.0.0/22"),
            &nets(&[
                "10.0.2.0/24",
                "10.0.0.0/24",
                "10.0.0.128/25",
                "10.0.2.0/24",
                "10.9.0.0/16",
                "::/0",
            ]),
        );
        assert_eq!(texts(&left), ["10.0.1.0/24", "10.0.3.0/24"]);
    }

    #[test]
    fn subtract_at_the_edges_of_the_address_space() {
        // Nothing removed: the block itself. Everything removed: nothing.
        assert_eq!(subtract(&net("10.0.0.0/8"), &[]), nets(&["10.0.0.0/8"]));
        assert_eq!(subtract(&net("10.0.0.0/8"), &nets(&["0.0.0.0/0"])), []);
        assert_eq!(subtract(&net("10.0.0.0/8"), &nets(&["10.0.0.0/8"])), []);
        assert_eq!(subtract(&net("10.0.0.5/32"), &nets(&["10.0.0.5/32"])), []);
        // The whole space minus its first and last address: one block per level on each side.
        let left = subtract(
            &net("0.0.0.0/0"),
            &nets(&["0.0.0.0/32", "255.255.255.255/32"]),
        );
        assert_eq!(left.len(), 62);
        assert_eq!(left[0], net("0.0.0.1/32"));
        assert_eq!(left[30], net("64.0.0.0/2"));
        assert_eq!(left[31], net("128.0.0.0/2"));
        assert_eq!(left[61], net("255.255.255.254/32"));
        let left = subtract(
            &net("::/0"),
            &nets(&["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"]),
        );
        assert_eq!(left.len(), 128);
        assert_eq!(left[0], net("::/1"));
        assert_eq!(
            left[127],
            net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128")
        );
        let left = subtract(&net("::/0"), &nets(&["::/128"]));
        assert_eq!((left[0], left[127]), (net("::1/128"), net("8000::/1")));
        // An IPv6 block minus IPv4 networks is untouched.
        assert_eq!(
            subtract(&net("fd00::/8"), &nets(&["0.0.0.0/0"])),
            nets(&["fd00::/8"])
        );
        // Host bits mean the network.
        assert_eq!(
            subtract(&net("10.0.0.7/24"), &nets(&["10.0.0.200/25"])),
            nets(&["10.0.0.0/25"])
        );
    }

    #[test]
    fn summarize_merges_contained_duplicate_and_adjacent_networks() {
        let merged = summarize(&nets(&[
            "10.0.1.0/24",
            "10.0.0.0/24",
            "10.0.2.0/23",
            "10.0.2.0/24",
            "10.0.0.0/24",
            "192.168.0.5/32",
            "fd00:0:0:1::/64",
            "fd00::/64",
            "10.0.4.0/24",
        ]));
        assert_eq!(
            texts(&merged),
            ["10.0.0.0/22", "10.0.4.0/24", "192.168.0.5/32", "fd00::/63"]
        );
        // Adjacent but not a pair of halves: 10.0.1.0/24 + 10.0.2.0/24 stay two blocks.
        assert_eq!(
            summarize(&nets(&["10.0.2.0/24", "10.0.1.0/24"])),
            nets(&["10.0.1.0/24", "10.0.2.0/24"])
        );
        // A run that is no block comes out as its fewest blocks.
        assert_eq!(
            texts(&summarize(&nets(&[
                "10.0.0.1/32",
                "10.0.0.2/31",
                "10.0.0.4/30",
                "10.0.0.8/32"
            ]))),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/32"]
        );
        assert_eq!(summarize(&[]), []);
        assert_eq!(
            summarize(&nets(&[
                "0.0.0.0/1",
                "128.0.0.0/1",
                "::/1",
                "8000::/1",
                "10.0.0.0/8"
            ])),
            nets(&["0.0.0.0/0", "::/0"])
        );
        assert_eq!(
            summarize(&nets(&["::/128", "::1/128", "fd00::1/128"])),
            nets(&["::/127", "fd00::1/128"])
        );
    }

    /// A network in the small universe: inside 10.0.0.0/24 or fd00::/120 (down to single
    /// addresses), where every address can be enumerated.
    fn small() -> impl Strategy<Value = IpNet> {
        let extra = prop_oneof![3 => 0u8..=3, 2 => 4u8..=8];
        (any::<bool>(), extra, any::<u8>()).prop_map(|(ipv6, extra, host)| {
            if ipv6 {
                v6(host, 120 + extra)
            } else {
                v4(host, 24 + extra)
            }
        })
    }

    /// A set of small-universe addresses: `[ipv4, ipv6]`, each by the last byte of the address.
    type Small = [[bool; 256]; 2];

    /// The family index (0 for IPv4) and the range of last bytes of a small-universe network.
    fn hosts(net: &IpNet) -> (usize, std::ops::RangeInclusive<usize>) {
        let last = |a: IpAddr| match a {
            IpAddr::V4(a) => usize::from(a.octets()[3]),
            IpAddr::V6(a) => usize::from(a.octets()[15]),
        };
        (
            usize::from(net.addr().is_ipv6()),
            last(net.network())..=last(net.broadcast()),
        )
    }

    /// The addresses `member` holds, one by one.
    fn enumerate(member: impl Fn(&IpAddr) -> bool) -> Small {
        let mut set = [[false; 256]; 2];
        for h in 0..=255u8 {
            set[0][usize::from(h)] = member(&v4(h, 32).addr());
            set[1][usize::from(h)] = member(&v6(h, 128).addr());
        }
        set
    }

    /// The maximal blocks of a set, by enumeration: every block of the universe wholly in the
    /// set whose parent is not (the universe's roots have no parent in it, and nothing outside
    /// the universe is in the set), in address order.
    fn maximal_blocks(set: &Small) -> Vec<IpNet> {
        let mut found = Vec::new();
        for (family, hosts) in set.iter().enumerate() {
            let whole = |start: usize, size: usize| hosts[start..start + size].iter().all(|&h| h);
            for extra in 0..=8u8 {
                let size = 256usize >> extra;
                for start in (0..256).step_by(size) {
                    let parent_in_set = extra > 0 && whole(start & !(2 * size - 1), 2 * size);
                    if whole(start, size) && !parent_in_set {
                        // `start < 256`.
                        let host = start as u8;
                        found.push(if family == 0 {
                            v4(host, 24 + extra)
                        } else {
                            v6(host, 120 + extra)
                        });
                    }
                }
            }
        }
        found.sort_by_key(|b| (b.addr().is_ipv6(), b.network()));
        found
    }

    /// `family` (4 or 6) and the address as a number.
    fn number(addr: IpAddr) -> (u8, u128) {
        match addr {
            IpAddr::V4(a) => (4, u128::from(a.to_bits())),
            IpAddr::V6(a) => (6, a.to_bits()),
        }
    }

    fn address(family: u8, n: u128) -> IpAddr {
        match family {
            4 => IpAddr::V4(std::net::Ipv4Addr::from_bits(n as u32)),
            _ => IpAddr::V6(std::net::Ipv6Addr::from_bits(n)),
        }
    }

    /// `(family, first, last)` of a block.
    fn range(block: &IpNet) -> (u8, u128, u128) {
        let (family, first) = number(block.network());
        (family, first, number(block.broadcast()).1)
    }

    /// Sorted disjoint blocks as maximal address ranges (adjacent ones joined).
    fn ranges(blocks: &[IpNet]) -> Vec<(u8, u128, u128)> {
        let mut out: Vec<(u8, u128, u128)> = Vec::new();
        for (family, first, last) in blocks.iter().map(range) {
            match out.last_mut() {
                Some(prev) if prev.0 == family && prev.2.checked_add(1) == Some(first) => {
                    prev.2 = last
                }
                _ => out.push((family, first, last)),
            }
        }
        out
    }

    /// The set `member` describes, as maximal address ranges, for any networks: the boundaries
    /// of `networks` cut each family into pieces that every one of them holds wholly or not at
    /// all, so testing one address per piece decides the whole piece.
    fn model(networks: &[IpNet], member: impl Fn(&IpAddr) -> bool) -> Vec<(u8, u128, u128)> {
        let mut pieces = Vec::new();
        for family in [4u8, 6] {
            let max = if family == 4 {
                u128::from(u32::MAX)
            } else {
                u128::MAX
            };
            let mut cuts: BTreeSet<u128> = BTreeSet::from([0]);
            for (f, first, last) in networks.iter().map(range) {
                if f == family {
                    cuts.insert(first);
                    if last < max {
                        cuts.insert(last + 1);
                    }
                }
            }
            let cuts: Vec<u128> = cuts.into_iter().collect();
            for (i, &first) in cuts.iter().enumerate() {
                let last = cuts.get(i + 1).map_or(max, |next| next - 1);
                if member(&address(family, first)) {
                    pieces.push((family, first, last));
                }
            }
        }
        let mut out: Vec<(u8, u128, u128)> = Vec::new();
        for piece in pieces {
            match out.last_mut() {
                Some(prev) if prev.0 == piece.0 && prev.2 + 1 == piece.1 => prev.2 = piece.2,
                _ => out.push(piece),
            }
        }
        out
    }

    /// Canonical, in strict address order, disjoint, each block maximal in `set` (its parent is
    /// not wholly inside one range of the set), and together exactly `set`.
    fn assert_fewest_blocks(
        blocks: &[IpNet],
        set: &[(u8, u128, u128)],
    ) -> Result<(), TestCaseError> {
        for block in blocks {
            prop_assert_eq!(block.trunc(), *block, "not canonical");
            if let Some(parent) = block.supernet() {
                let (family, first, last) = range(&parent);
                prop_assert!(
                    !set.iter()
                        .any(|r| r.0 == family && r.1 <= first && last <= r.2),
                    "{} is not maximal: {} is in the set",
                    block,
                    parent
                );
            }
        }
        for pair in blocks.windows(2) {
            let ((fa, _, last), (fb, first, _)) = (range(&pair[0]), range(&pair[1]));
            prop_assert!(
                fa < fb || (fa == fb && last < first),
                "{} then {}",
                pair[0],
                pair[1]
            );
        }
        prop_assert_eq!(ranges(blocks), set.to_vec());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Against enumeration of every address: the answer is exactly the maximal blocks of
        /// the union, which is the one shortest description, canonical and in address order.
        #[test]
        fn summarize_is_the_maximal_blocks_of_the_union_by_enumeration(
            prefixes in proptest::collection::vec(small(), 0..12),
        ) {
            let union = enumerate(|a| prefixes.iter().any(|p| p.contains(a)));
            let got = summarize(&prefixes);
            prop_assert!(got.iter().all(|b| b.trunc() == *b));
            prop_assert_eq!(got, maximal_blocks(&union));
        }

        #[test]
        fn subtract_is_the_maximal_blocks_of_the_difference_by_enumeration(
            whole in small(),
            removed in proptest::collection::vec(small(), 0..8),
        ) {
            let left = enumerate(|a| whole.contains(a) && !removed.iter().any(|r| r.contains(a)));
            let got = subtract(&whole, &removed);
            prop_assert!(got.iter().all(|b| b.trunc() == *b && whole.contains(b)));
            prop_assert_eq!(got, maximal_blocks(&left));
        }

        #[test]
        fn contains_means_every_address_is_inside_by_enumeration(
            container in small(),
            inner in small(),
        ) {
            let outer = enumerate(|a| container.contains(a));
            let (family, range) = hosts(&inner);
            let expected = range.into_iter().all(|h| outer[family][h]);
            prop_assert_eq!(contains(&container, &inner), expected);
        }

        /// Wide networks (up to /0 and ::/0, whose answers are too large to enumerate) against
        /// the piecewise model: exactly the set, fewest blocks, address order.
        #[test]
        fn summarize_matches_the_piecewise_model(
            prefixes in proptest::collection::vec(testgen::prefix(), 0..12),
        ) {
            let set = model(&prefixes, |a| prefixes.iter().any(|p| p.contains(a)));
            let got = summarize(&prefixes);
            assert_fewest_blocks(&got, &set)?;
            // Idempotent, and the input's order does not matter.
            prop_assert_eq!(summarize(&got), got.clone());
            let mut reversed = prefixes.clone();
            reversed.reverse();
            prop_assert_eq!(summarize(&reversed), got);
        }

        #[test]
        fn subtract_matches_the_piecewise_model(
            whole in testgen::prefix(),
            removed in proptest::collection::vec(testgen::prefix(), 0..8),
        ) {
            let mut networks = removed.clone();
            networks.push(whole);
            let set = model(&networks, |a| whole.contains(a) && !removed.iter().any(|r| r.contains(a)));
            let got = subtract(&whole, &removed);
            assert_fewest_blocks(&got, &set)?;
            // What is left and what was taken make up the whole again.
            let taken: Vec<IpNet> = removed.iter().filter(|r| contains(&whole, r)).copied()
                .chain(removed.iter().filter(|r| contains(r, &whole)).map(|_| whole))
                .collect();
            let mut both = got.clone();
            both.extend(taken);
            prop_assert_eq!(summarize(&both), vec![whole]);
        }

        #[test]
        fn contains_matches_the_samples(
            container in testgen::prefix(),
            inner in testgen::prefix(),
        ) {
            // Both are unions of the samples' atoms, so the samples decide containment.
            let expected = testgen::samples()
                .iter()
                .filter(|a| inner.contains(*a))
                .all(|a| container.contains(a));
            prop_assert_eq!(contains(&container, &inner), expected);
        }
    }
}
