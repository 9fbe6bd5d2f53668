//! Longest-prefix match over a whole destination network at once.
//!
//! AWS route tables (VPC, Transit Gateway, Client VPN) and Client VPN authorization rules all
//! decide per address by the most specific matching prefix. Asking "where does *this network*
//! go" must therefore look at every entry that wins for some of its addresses, not only the
//! one entry that contains it: a more specific route inside the destination takes part of it
//! elsewhere. [`deciding`] answers that without enumerating addresses, so a /16 costs the same
//! as a /32.

use super::{Span, tiles, width};
use ipnet::IpNet;

/// The entries that decide the addresses of one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a, T> {
    /// Each entry that is the longest match for at least one address of the destination, with
    /// its prefix (host bits cleared): first the one containing the whole destination, if it
    /// decides any address, then those inside it in address order.
    pub deciders: Vec<(IpNet, &'a T)>,
    /// Some address of the destination matches no entry at all.
    pub uncovered: bool,
}

/// Which entries decide some address of `destination` by longest prefix. Of entries with the
/// same prefix the first one counts, as a table cannot hold two (callers merge what AWS merges,
/// such as a static route over a propagated one). O(n log n) for n entries; to ask one table
/// about many destinations, build its [`Index`] once.
pub fn deciding<'a, T>(entries: &'a [(IpNet, T)], destination: &IpNet) -> Decision<'a, T> {
    let index = Index::new(entries.iter().map(|(prefix, target)| (*prefix, target)));
    let decision = index.deciding(destination);
    Decision {
        deciders: decision
            .deciders
            .into_iter()
            .map(|(prefix, target)| (prefix, *target))
            .collect(),
        uncovered: decision.uncovered,
    }
}

/// A table sorted once for longest-prefix questions about whole networks: each answer costs
/// O(w log n + k) for a family of w address bits and the k entries inside the destination,
/// rather than a pass over the table.
#[derive(Debug, Clone)]
pub struct Index<T> {
    /// In sweep order, one entry per prefix (the first given).
    entries: Vec<(Span, IpNet, T)>,
}

impl<T> Index<T> {
    /// Of entries with the same prefix the first one counts.
    pub fn new(entries: impl IntoIterator<Item = (IpNet, T)>) -> Index<T> {
        let mut entries: Vec<(Span, IpNet, T)> = entries
            .into_iter()
            .map(|(prefix, target)| (Span::of(&prefix), prefix.trunc(), target))
            .collect();
        // Stable: of equal prefixes the first entry stays.
        entries.sort_by_key(|(span, _, _)| *span);
        entries.dedup_by_key(|(span, _, _)| *span);
        Index { entries }
    }

    /// The position of the entry on exactly `span`, if any.
    fn find(&self, span: &Span) -> Option<usize> {
        self.entries.binary_search_by_key(span, |(s, _, _)| *s).ok()
    }

    /// Which entries decide some address of `destination`: the most specific one containing all
    /// of it (when it decides any address) and, in address order, those inside it that their own
    /// inner entries do not wholly cover.
    pub fn deciding(&self, destination: &IpNet) -> Decision<'_, T> {
        let target = Span::of(destination);
        let bits = width(target.family);
        // The most specific entry containing the destination: one lookup per shorter length.
        let outer = (0..=target.len).rev().find_map(|len| {
            let host = if len == 0 {
                u128::MAX >> (128 - u32::from(bits))
            } else {
                (1u128 << (bits - len)) - 1
            };
            let start = target.start & !host;
            self.find(&Span {
                family: target.family,
                start,
                len,
                end: start | host,
            })
        });
        // The entries strictly inside: those starting within it with a longer prefix, which
        // the sweep order keeps together.
        let key = |(span, _, _): &(Span, IpNet, T)| (span.family, span.start, span.len);
        let first = self
            .entries
            .partition_point(|e| key(e) <= (target.family, target.start, target.len));
        let last = self
            .entries
            .partition_point(|e| (e.0.family, e.0.start) <= (target.family, target.end));
        let inner = &self.entries[first..last.max(first)];

        // The inner prefixes as a forest by containment, in sweep order.
        let mut children: Vec<Vec<Span>> = vec![Vec::new(); inner.len()];
        let mut roots: Vec<Span> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for (n, (span, _, _)) in inner.iter().enumerate() {
            while let Some(&top) = open.last()
                && !inner[top].0.contains(span)
            {
                open.pop();
            }
            match open.last() {
                Some(&parent) => children[parent].push(*span),
                None => roots.push(*span),
            }
            open.push(n);
        }

        let mut deciders = Vec::new();
        let mut uncovered = false;
        if !tiles(&target, &roots) {
            match outer {
                Some(at) => deciders.push((self.entries[at].1, &self.entries[at].2)),
                None => uncovered = true,
            }
        }
        for ((span, prefix, target), below) in inner.iter().zip(&children) {
            if !tiles(span, below) {
                deciders.push((*prefix, target));
            }
        }
        Decision {
            deciders,
            uncovered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testgen::{net, prefix, samples};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::IpAddr;

    fn table(items: &[(&str, u8)]) -> Vec<(IpNet, u8)> {
        items.iter().map(|&(p, t)| (net(p), t)).collect()
    }

    fn targets(decision: &Decision<'_, u8>) -> Vec<(String, u8)> {
        decision
            .deciders
            .iter()
            .map(|(p, t)| (p.to_string(), **t))
            .collect()
    }

    #[test]
    fn a_more_specific_entry_inside_the_destination_takes_part_of_it() {
        let routes = table(&[("10.0.0.0/8", 1), ("10.1.2.0/24", 2), ("10.1.0.0/16", 1)]);
        let decision = deciding(&routes, &net("10.1.0.0/16"));
        assert_eq!(
            targets(&decision),
            [("10.1.0.0/16".into(), 1), ("10.1.2.0/24".into(), 2)]
        );
        assert!(!decision.uncovered);
    }

    #[test]
    fn inner_entries_that_tile_the_destination_leave_the_outer_one_nothing() {
        let routes = table(&[("10.0.0.0/8", 1), ("10.1.0.0/17", 2), ("10.1.128.0/17", 3)]);
        let decision = deciding(&routes, &net("10.1.0.0/16"));
        assert_eq!(
            targets(&decision),
            [("10.1.0.0/17".into(), 2), ("10.1.128.0/17".into(), 3)]
        );
    }

    #[test]
    fn addresses_no_entry_covers_are_reported() {
        let routes = table(&[("10.1.2.0/24", 2)]);
        let decision = deciding(&routes, &net("10.1.0.0/16"));
        assert!(decision.uncovered);
        assert_eq!(targets(&decision), [("10.1.2.0/24".into(), 2)]);
        assert!(
            deciding(&routes, &net("fd00::/8")).uncovered,
            "families never meet"
        );
    }

    fn longest(entries: &[(IpNet, u8)], addr: &IpAddr) -> Option<(IpNet, u8)> {
        let mut best: Option<(IpNet, u8)> = None;
        for (p, t) in entries {
            if p.contains(addr) && best.is_none_or(|(b, _)| p.prefix_len() > b.prefix_len()) {
                best = Some((p.trunc(), *t));
            }
        }
        best
    }

    proptest! {
        /// The deciders are exactly the longest matches of the destination's addresses.
        #[test]
        fn matches_a_per_address_walk(
            entries in prop::collection::vec((prefix(), 0u8..3), 0..12),
            destination in prefix(),
        ) {
            let decision = deciding(&entries, &destination);
            let mut expected = BTreeSet::new();
            let mut uncovered = false;
            for addr in samples().iter().filter(|a| destination.contains(*a)) {
                match longest(&entries, addr) {
                    Some(found) => { expected.insert(found); }
                    None => uncovered = true,
                }
            }
            let got: BTreeSet<(IpNet, u8)> =
                decision.deciders.iter().map(|(p, t)| (*p, **t)).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(decision.uncovered, uncovered);
        }
    }
}
