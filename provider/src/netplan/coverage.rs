//! Whether prefixes are reachable through, or usable with, other prefixes.
//!
//! Client VPN needs two things for a destination: an authorization rule and a
//! route. An authorized network that no route covers is unreachable; a route
//! that no authorization overlaps carries no traffic. Both are plan-time
//! warnings, and both must treat a set of prefixes as the union of their
//! addresses: a /16 routed as two /17s is reachable.

use super::Span;
use ipnet::IpNet;

/// The `targets` (in input order) not wholly inside the union of `cover`.
/// O((t + c) log c).
pub(crate) fn uncovered(targets: &[IpNet], cover: &[IpNet]) -> Vec<IpNet> {
    let runs = merged_runs(cover);
    targets
        .iter()
        .filter(|target| {
            let t = Span::of(target);
            // Runs are disjoint and not adjacent, so a covered target lies in one run.
            let i = runs.partition_point(|r| (r.family, r.start) <= (t.family, t.start));
            !(i > 0 && runs[i - 1].contains(&t))
        })
        .copied()
        .collect()
}

/// The `items` (in input order) that share no address with any of `others`.
/// O((i + o) log o).
pub(crate) fn disjoint_from(items: &[IpNet], others: &[IpNet]) -> Vec<IpNet> {
    let runs = merged_runs(others);
    items
        .iter()
        .filter(|item| {
            let s = Span::of(item);
            // The last run starting at or before the item's end is the only
            // candidate: earlier runs end before it starts.
            let i = runs.partition_point(|r| (r.family, r.start) <= (s.family, s.end));
            !(i > 0 && runs[i - 1].family == s.family && runs[i - 1].end >= s.start)
        })
        .copied()
        .collect()
}

/// The union of `prefixes` as maximal address runs, sorted, each family apart.
/// Adjacent runs are joined, which is what makes two /17s cover a /16.
pub(super) fn merged_runs(prefixes: &[IpNet]) -> Vec<Span> {
    let mut spans: Vec<Span> = prefixes.iter().map(Span::of).collect();
    spans.sort_unstable();
    let mut runs: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match runs.last_mut() {
            Some(last)
                if last.family == s.family
                    && last.end.checked_add(1).is_none_or(|next| next >= s.start) =>
            {
                last.end = last.end.max(s.end);
            }
            _ => runs.push(s),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::super::testgen;
    use super::*;
    use proptest::prelude::*;

    fn nets(items: &[&str]) -> Vec<IpNet> {
        items.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn halves_cover_the_whole_but_a_gap_does_not() {
        let cover = nets(&[
            "10.0.128.0/17",
            "10.0.0.0/17",
            "10.2.0.0/17",
            "::/1",
            "8000::/1",
        ]);
        let targets = nets(&[
            "10.0.0.0/16",
            "10.2.0.0/16",
            "10.2.0.0/24",
            "fd00::/8",
            "::/0",
            "0.0.0.0/0",
        ]);
        assert_eq!(
            uncovered(&targets, &cover),
            nets(&["10.2.0.0/16", "0.0.0.0/0"])
        );
    }

    #[test]
    fn disjoint_items_are_the_unusable_routes() {
        let routes = nets(&["10.0.0.0/16", "10.1.0.0/16", "192.168.0.0/24", "fd00::/64"]);
        let authorized = nets(&["10.0.5.0/24", "192.168.0.0/16", "0.0.0.0/1"]);
        assert_eq!(disjoint_from(&routes, &authorized), nets(&["fd00::/64"]));
        assert_eq!(disjoint_from(&routes, &[]), routes);
    }

    proptest! {
        #[test]
        fn matches_address_sampling(
            targets in proptest::collection::vec(testgen::prefix(), 0..12),
            cover in proptest::collection::vec(testgen::prefix(), 0..12),
        ) {
            let samples = testgen::samples();
            let in_cover = |a: &std::net::IpAddr| cover.iter().any(|c| c.contains(a));
            let expected: Vec<IpNet> = targets
                .iter()
                .filter(|t| samples.iter().filter(|a| t.contains(*a)).any(|a| !in_cover(a)))
                .copied()
                .collect();
            prop_assert_eq!(uncovered(&targets, &cover), expected);

            let expected: Vec<IpNet> = targets
                .iter()
                .filter(|t| !samples.iter().any(|a| t.contains(a) && in_cover(a)))
                .copied()
                .collect();
            prop_assert_eq!(disjoint_from(&targets, &cover), expected);
        }
    }
}
