//! Overlapping prefixes across the networks of a hub.
//!
//! A Transit Gateway routes by destination prefix, so two attached networks
//! with overlapping CIDRs cannot both be reached: the mesh would need two VPC
//! routes for one destination (`RouteAlreadyExists`) and the TGW one static
//! route per prefix per route table. The check runs on every CIDR the plan
//! knows (VPC primary and secondary CIDRs, data-center CIDRs, TGW CIDR blocks,
//! Direct Connect allowed prefixes) and names both owners of each overlap.

use super::{Labelled, Span};
use ipnet::IpNet;

/// Two labelled prefixes that share addresses. CIDR prefixes overlap only by
/// nesting, so one of them is `wider` (contains the other) and the shared
/// range is exactly the `narrower` prefix. For identical prefixes `wider` is
/// the one that came first in the input.
#[derive(Debug)]
pub struct Overlap<'a, L> {
    /// The prefix that contains the other.
    pub wider: &'a Labelled<L>,
    /// The prefix contained (the shared range).
    pub narrower: &'a Labelled<L>,
}

impl<L> Overlap<'_, L> {
    /// The addresses both prefixes cover, for the error message.
    pub fn range(&self) -> IpNet {
        self.narrower.prefix.trunc()
    }
}

/// Every overlapping pair for which `conflicts(wider_label, narrower_label)`
/// holds. The predicate is how callers allow intended overlaps: a Direct
/// Connect allowed prefix is meant to cover VPC CIDRs (it advertises them to
/// the data center) but must not overlap a data-center CIDR, and a network
/// listing one of its own CIDRs twice is not in conflict with itself.
///
/// Sorting puts a prefix before everything it contains; a sweep then keeps the
/// chain of prefixes containing the current one on a stack, and each stack
/// entry is an overlapping pair. Cost O(n log n + p) where p is the number of
/// overlapping pairs offered to `conflicts` (the predicate is arbitrary, so
/// each pair must be offered). The order is deterministic: by the narrower
/// prefix in sweep order, then from the widest container inwards.
pub fn find_overlaps<'a, L>(
    items: &'a [Labelled<L>],
    conflicts: impl Fn(&L, &L) -> bool,
) -> Vec<Overlap<'a, L>> {
    let mut order: Vec<(Span, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (Span::of(&item.prefix), i))
        .collect();
    order.sort_unstable();

    let mut open: Vec<(Span, usize)> = Vec::new();
    let mut found = Vec::new();
    for &(span, i) in &order {
        // A popped prefix ends before `span` starts (or is of the other
        // family), so it cannot contain anything later in the order either.
        while open.last().is_some_and(|(top, _)| !top.contains(&span)) {
            open.pop();
        }
        for &(_, j) in &open {
            if conflicts(&items[j].label, &items[i].label) {
                found.push(Overlap {
                    wider: &items[j],
                    narrower: &items[i],
                });
            }
        }
        open.push((span, i));
    }
    found
}

/// Every pair of overlapping prefixes in `prefixes`, as `(wider, narrower)` indices: the
/// prefix at `wider` contains the one at `narrower` (for equal prefixes, `wider` is the
/// earlier). Each pair appears once, in address order: by the wider prefix (IPv4 before IPv6,
/// then network address, then prefix length), then by the narrower one, then by the indices,
/// so reordering the input changes only the indices. Host bits are ignored.
///
/// O(n log n + k log k) for k pairs: the sweep of [`find_overlaps`], then a sort of the answer.
pub fn overlapping_pairs(prefixes: &[IpNet]) -> Vec<(usize, usize)> {
    let items: Vec<Labelled<usize>> = prefixes
        .iter()
        .enumerate()
        .map(|(label, prefix)| Labelled {
            label,
            prefix: *prefix,
        })
        .collect();
    let mut pairs: Vec<(usize, usize)> = find_overlaps(&items, |_, _| true)
        .into_iter()
        .map(|o| (o.wider.label, o.narrower.label))
        .collect();
    pairs.sort_unstable_by_key(|&(w, n)| (Span::of(&prefixes[w]), Span::of(&prefixes[n]), w, n));
    pairs
}

#[cfg(test)]
mod tests {
    use super::super::testgen::{self, labelled, net};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn pairs<L: Copy>(found: &[Overlap<'_, L>]) -> Vec<(L, L, IpNet)> {
        found
            .iter()
            .map(|o| (o.wider.label, o.narrower.label, o.range()))
            .collect()
    }

    #[test]
    fn secondary_vpc_cidr_inside_data_center_range_is_found() {
        let items = labelled(&[
            ("vpc-a", "10.0.0.0/16"),
            ("vpc-b", "10.1.0.0/16"),
            ("vpc-b", "100.64.0.0/24"),
            ("dc", "100.64.0.0/10"),
            ("dc", "fd00::/8"),
            ("vpc-a", "fd00:1::/64"),
            ("vpc-a", "0.0.0.0/32"),
        ]);
        let found = find_overlaps(&items, |a, b| a != b);
        assert_eq!(
            pairs(&found),
            vec![
                ("dc", "vpc-b", net("100.64.0.0/24")),
                ("dc", "vpc-a", net("fd00:1::/64")),
            ]
        );
    }

    #[test]
    fn filter_lets_direct_connect_prefix_cover_vpcs_but_not_the_data_center() {
        let items = labelled(&[
            ("dx", "10.0.0.0/8"),
            ("vpc-a", "10.0.0.0/16"),
            ("vpc-a", "10.0.0.0/16"),
            ("dc", "10.200.0.0/16"),
        ]);
        let found = find_overlaps(&items, |a, b| a != b && (*a != "dx" || *b == "dc"));
        assert_eq!(pairs(&found), vec![("dx", "dc", net("10.200.0.0/16"))]);
    }

    #[test]
    fn ipv4_and_ipv6_never_overlap() {
        let items = labelled(&[
            ("a", "0.0.0.0/0"),
            ("b", "::/0"),
            ("c", "::ffff:10.0.0.0/104"),
        ]);
        let found = find_overlaps(&items, |_, _| true);
        assert_eq!(pairs(&found), vec![("b", "c", net("::ffff:10.0.0.0/104"))]);
    }

    /// 100,000 prefixes must be checked in one plan without quadratic work;
    /// this proves the sweep finishes at that size and still finds planted
    /// overlaps among random ones.
    #[test]
    fn hundred_thousand_prefixes() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut items = Vec::with_capacity(100_000);
        let mut planted = BTreeSet::new();
        while items.len() < 100_000 {
            let (r, label) = (next(), items.len());
            let (addr, len): (IpAddr, u8) = match r % 3 {
                0 => (
                    Ipv4Addr::from_bits((r >> 32) as u32).into(),
                    16 + (r % 17) as u8,
                ),
                1 => (
                    Ipv6Addr::from_bits(u128::from(r) << 64).into(),
                    32 + (r % 97) as u8,
                ),
                // A planted pair: a /20 and a /28 inside it.
                _ => {
                    let wide = IpNet::new(Ipv4Addr::from_bits(r as u32).into(), 20);
                    items.push(Labelled {
                        label,
                        prefix: wide.unwrap().trunc(),
                    });
                    planted.insert((label, label + 1));
                    (Ipv4Addr::from_bits(r as u32).into(), 28)
                }
            };
            let prefix = IpNet::new(addr, len).unwrap().trunc();
            items.push(Labelled {
                label: items.len(),
                prefix,
            });
        }
        let found = find_overlaps(&items, |_, _| true);
        assert!(
            found
                .iter()
                .all(|o| o.wider.prefix.contains(&o.narrower.prefix))
        );
        let reported: BTreeSet<_> = found
            .iter()
            .map(|o| (o.wider.label, o.narrower.label))
            .collect();
        assert!(planted.is_subset(&reported));
    }

    #[test]
    fn pairs_come_in_address_order_with_equal_prefixes_paired_once() {
        let prefixes: Vec<IpNet> = [
            "fd00::/8",
            "10.0.1.0/24",
            "10.0.0.0/16",
            "fd00:1::/64",
            "10.0.0.0/16",
            "192.168.0.0/24",
        ]
        .iter()
        .map(|p| net(p))
        .collect();
        assert_eq!(
            overlapping_pairs(&prefixes),
            vec![(2, 4), (2, 1), (4, 1), (0, 3)]
        );
        assert!(overlapping_pairs(&[]).is_empty());
    }

    proptest! {
        /// The sweep against the O(n²) definition, order included.
        #[test]
        fn overlapping_pairs_match_the_brute_force_model(
            prefixes in proptest::collection::vec(testgen::prefix(), 0..40),
        ) {
            let mut expected = Vec::new();
            for i in 0..prefixes.len() {
                for j in i + 1..prefixes.len() {
                    if prefixes[i].contains(&prefixes[j]) {
                        expected.push((i, j));
                    } else if prefixes[j].contains(&prefixes[i]) {
                        expected.push((j, i));
                    }
                }
            }
            let key = |&(w, n): &(usize, usize)| {
                let family = |p: &IpNet| u8::from(p.addr().is_ipv6());
                let (a, b) = (prefixes[w], prefixes[n]);
                (family(&a), a.network(), a.prefix_len(), family(&b), b.network(), b.prefix_len(), w, n)
            };
            expected.sort_by_key(key);
            prop_assert_eq!(overlapping_pairs(&prefixes), expected);
        }

        /// Reordering the input permutes the indices and nothing else.
        #[test]
        fn overlapping_pairs_do_not_depend_on_the_input_order(
            prefixes in proptest::collection::vec(testgen::prefix(), 0..30),
            seed in any::<u64>(),
        ) {
            let mut order: Vec<usize> = (0..prefixes.len()).collect();
            let mut state = seed | 1;
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let shuffled: Vec<IpNet> = order.iter().map(|&i| prefixes[i]).collect();
            let as_prefixes = |list: &[IpNet], pairs: Vec<(usize, usize)>| -> Vec<(IpNet, IpNet)> {
                pairs.into_iter().map(|(w, n)| (list[w], list[n])).collect()
            };
            prop_assert_eq!(
                as_prefixes(&shuffled, overlapping_pairs(&shuffled)),
                as_prefixes(&prefixes, overlapping_pairs(&prefixes))
            );
        }

        #[test]
        fn matches_all_pairs_oracle(
            prefixes in proptest::collection::vec(testgen::prefix(), 0..40),
            groups in proptest::collection::vec(0u8..3, 40),
        ) {
            let items: Vec<Labelled<(usize, u8)>> = prefixes
                .iter()
                .enumerate()
                .map(|(i, &prefix)| Labelled { label: (i, groups[i]), prefix })
                .collect();
            // Asymmetric on purpose: the predicate sees (wider, narrower).
            let conflicts = |w: &(usize, u8), n: &(usize, u8)| w.1 <= n.1;
            let found = find_overlaps(&items, conflicts);

            let mut expected = BTreeSet::new();
            for (i, a) in items.iter().enumerate() {
                for b in &items[i + 1..] {
                    // Identical prefixes: the earlier item is the wider one.
                    let (w, n) = if a.prefix.contains(&b.prefix) {
                        (a, b)
                    } else if b.prefix.contains(&a.prefix) {
                        (b, a)
                    } else {
                        continue;
                    };
                    if conflicts(&w.label, &n.label) {
                        expected.insert((w.label.0, n.label.0));
                    }
                }
            }
            let mut got = BTreeSet::new();
            for o in &found {
                prop_assert_eq!(o.range(), o.narrower.prefix);
                prop_assert!(got.insert((o.wider.label.0, o.narrower.label.0)), "pair reported twice");
            }
            prop_assert_eq!(got, expected);
        }
    }
}
