//! Client VPN authorization rules that another group's rule takes away.
//!
//! AWS evaluates Client VPN authorization by longest prefix across all groups:
//! for a destination the most specific matching rule decides, whatever its
//! group, and `0.0.0.0/0` is evaluated last (AWS troubleshooting page
//! "Authorization rules for Active Directory groups not working as
//! expected"). So group A on 10.0.0.0/16 and group B on 10.0.1.0/24 means A's
//! users are denied 10.0.1.0/24, which nothing in the API reports. This module
//! finds every such loss so the plan can warn, or the user can add A's rule
//! on 10.0.1.0/24 too.

use super::lpm::deciding;
use super::{Labelled, Span, tiles};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};

/// Users of `group` are authorized on `authorized` but denied (part of) `lost`
/// because the more specific rules on `lost` belong only to `taken_by`.
/// Addresses inside `lost` where `group` has a still more specific rule of its
/// own are allowed again; `lost` is reported only when that does not give back
/// all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shadowed<L> {
    pub group: L,
    pub authorized: IpNet,
    pub lost: IpNet,
    pub taken_by: Vec<L>,
}

/// A distinct rule prefix and the groups holding a rule on exactly it.
struct Node<'a, L> {
    span: Span,
    net: IpNet,
    holders: Vec<&'a L>,
}

/// Every loss, sorted by (group, authorized, lost). Each lost range is
/// maximal and attributed to the group's most specific rule containing it,
/// which is the rule the group would otherwise get the range from; so for one
/// group and rule the lost ranges are disjoint, and the same addresses are not
/// reported again under a wider rule of the same group.
///
/// The distinct rule prefixes form a forest by containment. A loss is an edge
/// parent → child where the group holds the parent but not the child. A sweep
/// in prefix order keeps the open chain of ancestors and, per group, the
/// positions of that group's prefixes on it; a rule whose nearest ancestor of
/// its own group is further up is a region given back inside the loss below
/// that ancestor. O(n log n + output).
pub(crate) fn shadowed_rules<L: Ord + Clone>(rules: &[Labelled<L>]) -> Vec<Shadowed<L>> {
    let mut sorted: Vec<(Span, &L, IpNet)> = rules
        .iter()
        .map(|r| (Span::of(&r.prefix), &r.label, r.prefix.trunc()))
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut nodes: Vec<Node<'_, L>> = Vec::new();
    for (span, group, net) in sorted {
        match nodes.last_mut() {
            Some(node) if node.span == span => node.holders.push(group),
            _ => nodes.push(Node {
                span,
                net,
                holders: vec![group],
            }),
        }
    }

    let mut parent: Vec<Option<usize>> = vec![None; nodes.len()];
    // (lost node, group) -> the group's own rules inside it, in address order.
    let mut losses: BTreeMap<(usize, &L), Vec<Span>> = BTreeMap::new();
    let mut open: Vec<usize> = Vec::new();
    let mut open_by_group: BTreeMap<&L, Vec<usize>> = BTreeMap::new();
    for (n, node) in nodes.iter().enumerate() {
        while let Some(&top) = open.last()
            && !nodes[top].span.contains(&node.span)
        {
            open.pop();
            for group in &nodes[top].holders {
                open_by_group.get_mut(group).and_then(Vec::pop);
            }
        }
        if let Some(&p) = open.last() {
            parent[n] = Some(p);
            for &group in &nodes[p].holders {
                if node.holders.binary_search(&group).is_err() {
                    losses.insert((n, group), Vec::new());
                }
            }
        }
        for &group in &node.holders {
            let positions = open_by_group.entry(group).or_default();
            // The group's nearest own ancestor is above the parent: this rule
            // gives back addresses inside the loss just below that ancestor.
            if let Some(&pos) = positions.last()
                && pos + 1 < open.len()
                && let Some(given_back) = losses.get_mut(&(open[pos + 1], group))
            {
                given_back.push(node.span);
            }
            positions.push(open.len());
        }
        open.push(n);
    }

    let mut found: Vec<Shadowed<L>> = losses
        .into_iter()
        .filter(|((lost, _), given_back)| !tiles(&nodes[*lost].span, given_back))
        .filter_map(|((lost, group), _)| {
            Some(Shadowed {
                group: group.clone(),
                authorized: nodes[parent[lost]?].net,
                lost: nodes[lost].net,
                taken_by: nodes[lost].holders.iter().map(|&h| h.clone()).collect(),
            })
        })
        .collect();
    found.sort_by(|a, b| (&a.group, a.authorized, a.lost).cmp(&(&b.group, b.authorized, b.lost)));
    found
}

/// The groups whose users AWS lets through to every address of `destination`, in label order:
/// for each address the most specific rule prefix containing it decides, and every group with
/// a rule on exactly that prefix is authorized (so several groups come back when they hold
/// rules on the same network). An empty answer means that some address of `destination` is
/// denied to every group: no rule covers it, or no one group is authorized on all of it.
///
/// The answer is the groups common to every rule prefix that decides some address
/// ([`deciding`]). O(n log n) for n rules.
pub(crate) fn authorized_groups<L: Ord + Clone>(
    rules: &[Labelled<L>],
    destination: &IpNet,
) -> Vec<L> {
    let mut holders: BTreeMap<IpNet, BTreeSet<&L>> = BTreeMap::new();
    for rule in rules {
        holders
            .entry(rule.prefix.trunc())
            .or_default()
            .insert(&rule.label);
    }
    let entries: Vec<(IpNet, BTreeSet<&L>)> = holders.into_iter().collect();
    let decision = deciding(&entries, destination);
    if decision.uncovered {
        // Addresses no rule covers: denied to everyone.
        return Vec::new();
    }
    let Some(((_, first), rest)) = decision.deciders.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|group| rest.iter().all(|(_, holders)| holders.contains(*group)))
        .map(|&group| group.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testgen::{self, labelled};
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::IpAddr;

    fn shadowed(
        group: &'static str,
        authorized: &str,
        lost: &str,
        taken_by: &[&'static str],
    ) -> Shadowed<&'static str> {
        Shadowed {
            group,
            authorized: authorized.parse().unwrap(),
            lost: lost.parse().unwrap(),
            taken_by: taken_by.to_vec(),
        }
    }

    #[test]
    fn aws_documented_example() {
        let found = shadowed_rules(&labelled(&[("A", "10.0.0.0/16"), ("B", "10.0.1.0/24")]));
        assert_eq!(
            found,
            vec![shadowed("A", "10.0.0.0/16", "10.0.1.0/24", &["B"])]
        );
    }

    #[test]
    fn holding_the_specific_rule_too_keeps_access() {
        let found = shadowed_rules(&labelled(&[
            ("A", "10.0.0.0/16"),
            ("B", "10.0.1.0/24"),
            ("A", "10.0.1.0/24"),
        ]));
        assert_eq!(found, vec![]);
    }

    #[test]
    fn everyone_rule_is_evaluated_last() {
        let found = shadowed_rules(&labelled(&[
            ("all", "0.0.0.0/0"),
            ("ops", "10.0.0.0/8"),
            ("dev", "10.1.0.0/16"),
            ("ops", "10.1.0.0/16"),
            ("dev", "10.1.2.0/24"),
            ("all", "::/0"),
        ]));
        assert_eq!(
            found,
            vec![
                shadowed("all", "0.0.0.0/0", "10.0.0.0/8", &["ops"]),
                shadowed("ops", "10.1.0.0/16", "10.1.2.0/24", &["dev"]),
            ]
        );
    }

    #[test]
    fn loss_fully_given_back_by_own_rules_is_not_reported() {
        let tiled = [
            ("A", "10.0.0.0/16"),
            ("B", "10.0.1.0/24"),
            ("A", "10.0.1.0/25"),
            ("A", "10.0.1.128/25"),
        ];
        // A gets all of B's /24 back through its two /25s; B, in turn, loses both halves.
        let b_loses = [
            shadowed("B", "10.0.1.0/24", "10.0.1.0/25", &["A"]),
            shadowed("B", "10.0.1.0/24", "10.0.1.128/25", &["A"]),
        ];
        assert_eq!(shadowed_rules(&labelled(&tiled)), b_loses.to_vec());
        assert_eq!(
            shadowed_rules(&labelled(&tiled[..3])),
            vec![
                shadowed("A", "10.0.0.0/16", "10.0.1.0/24", &["B"]),
                b_loses[0].clone()
            ]
        );
    }

    /// Groups AWS lets through to `addr`: the holders of the longest rule prefix containing it.
    fn allowed(rules: &[Labelled<u8>], addr: &IpAddr) -> BTreeSet<u8> {
        let matching = rules.iter().filter(|r| r.prefix.contains(addr));
        let Some(best) = matching.clone().map(|r| r.prefix.prefix_len()).max() else {
            return BTreeSet::new();
        };
        matching
            .filter(|r| r.prefix.prefix_len() == best)
            .map(|r| r.label)
            .collect()
    }

    fn groups(rules: &[(&'static str, &str)], destination: &str) -> Vec<&'static str> {
        authorized_groups(&labelled(rules), &testgen::net(destination))
    }

    #[test]
    fn the_most_specific_rule_decides_whatever_its_group() {
        let rules = [
            ("all", "0.0.0.0/0"),
            ("ops", "10.0.0.0/16"),
            ("dev", "10.0.1.0/24"),
            ("db", "10.0.1.0/24"),
            ("v6", "fd00::/8"),
        ];
        assert_eq!(groups(&rules, "10.0.2.7/32"), ["ops"]);
        assert_eq!(groups(&rules, "10.0.0.0/24"), ["ops"]);
        // Two groups with a rule on the very same network: AWS authorizes both.
        assert_eq!(groups(&rules, "10.0.1.9/32"), ["db", "dev"]);
        assert_eq!(groups(&rules, "10.0.1.0/24"), ["db", "dev"]);
        assert_eq!(groups(&rules, "10.0.1.128/25"), ["db", "dev"]);
        // 0.0.0.0/0 is the least specific rule, evaluated last.
        assert_eq!(groups(&rules, "192.168.0.1/32"), ["all"]);
        assert_eq!(groups(&rules, "0.0.0.0/0"), Vec::<&str>::new());
        assert_eq!(groups(&rules, "fd00:1::1/128"), ["v6"]);
        // No rule covers it (families never meet): no one.
        assert_eq!(groups(&rules, "fe80::1/128"), Vec::<&str>::new());
        assert_eq!(groups(&[], "10.0.0.1/32"), Vec::<&str>::new());
        assert_eq!(groups(&[("a", "0.0.0.0/0")], "0.0.0.0/0"), ["a"]);
        assert_eq!(groups(&[("a", "::/0"), ("a", "::/0")], "::1/128"), ["a"]);
    }

    #[test]
    fn a_destination_split_between_rules_answers_the_groups_reaching_all_of_it() {
        // ops decides most of 10.0.0.0/16, dev decides 10.0.1.0/24 inside it.
        let split = [("ops", "10.0.0.0/16"), ("dev", "10.0.1.0/24")];
        assert_eq!(groups(&split, "10.0.0.0/16"), Vec::<&str>::new());
        assert_eq!(groups(&split, "10.0.0.0/8"), Vec::<&str>::new());
        // ops holds the inner rule too: it reaches everything.
        let both = [
            ("ops", "10.0.0.0/16"),
            ("dev", "10.0.1.0/24"),
            ("ops", "10.0.1.0/24"),
        ];
        assert_eq!(groups(&both, "10.0.0.0/16"), ["ops"]);
        // Inner rules that tile the destination leave nothing to the outer rule.
        let tiled = [
            ("all", "0.0.0.0/0"),
            ("a", "10.0.0.0/25"),
            ("a", "10.0.0.128/25"),
        ];
        assert_eq!(groups(&tiled, "10.0.0.0/24"), ["a"]);
        assert_eq!(groups(&tiled[1..], "10.0.0.0/24"), ["a"]);
        assert_eq!(groups(&tiled[1..], "10.0.0.0/23"), Vec::<&str>::new());
        // A half without a rule is denied to everyone.
        assert_eq!(groups(&tiled[1..2], "10.0.0.0/24"), Vec::<&str>::new());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        /// Against evaluating every address of the destination by longest prefix.
        #[test]
        fn authorized_groups_match_longest_prefix_evaluation(
            raw in proptest::collection::vec((0u8..3, testgen::prefix()), 0..14),
            destination in testgen::prefix(),
        ) {
            let rules: Vec<Labelled<u8>> = raw.iter().map(|&(label, prefix)| Labelled { label, prefix }).collect();
            // Rules and destination are unions of the samples' atoms: the samples decide.
            let mut expected: Option<BTreeSet<u8>> = None;
            for a in testgen::samples().iter().filter(|a| destination.contains(*a)) {
                let here = allowed(&rules, a);
                expected = Some(match expected {
                    None => here,
                    Some(so_far) => so_far.intersection(&here).copied().collect(),
                });
            }
            let expected: Vec<u8> = expected.unwrap_or_default().into_iter().collect();
            prop_assert_eq!(authorized_groups(&rules, &destination), expected);
        }
    }

    proptest! {
        // More cases than the default: a loss that a group's own rules fully
        // give back needs several rules to line up.
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn matches_longest_prefix_evaluation(
            raw in proptest::collection::vec((0u8..3, testgen::prefix()), 0..14),
        ) {
            let rules: Vec<Labelled<u8>> = raw.iter().map(|&(label, prefix)| Labelled { label, prefix }).collect();
            let holds = |g: u8, p: &IpNet| rules.iter().any(|r| r.label == g && r.prefix == *p);
            let found = shadowed_rules(&rules);
            prop_assert!(found.windows(2).all(|w| (w[0].group, w[0].authorized, w[0].lost) < (w[1].group, w[1].authorized, w[1].lost)));
            let samples = testgen::samples();
            for s in &found {
                prop_assert!(holds(s.group, &s.authorized) && !holds(s.group, &s.lost));
                prop_assert!(s.authorized.contains(&s.lost) && s.authorized != s.lost);
                let holders: Vec<u8> = (0..3).filter(|&g| holds(g, &s.lost)).collect();
                prop_assert_eq!(&s.taken_by, &holders);
                // Nearest: no rule of the group between the loss and the rule it is reported under.
                prop_assert!(!rules.iter().any(|r| r.label == s.group && r.prefix != s.authorized
                    && r.prefix.contains(&s.lost) && s.authorized.contains(&r.prefix)));
                // Real: some address in the loss is denied to the group.
                prop_assert!(samples.iter().any(|a| s.lost.contains(a) && !allowed(&rules, a).contains(&s.group)));
                // Maximal: no other loss under the same rule contains or meets it.
                prop_assert!(!found.iter().any(|o| o != s && o.group == s.group && o.authorized == s.authorized
                    && (o.lost.contains(&s.lost) || s.lost.contains(&o.lost))));
            }
            // Complete: every address a group has a rule for but is denied lies in a reported loss.
            for g in 0..3u8 {
                for a in &samples {
                    if rules.iter().any(|r| r.label == g && r.prefix.contains(a)) && !allowed(&rules, a).contains(&g) {
                        prop_assert!(found.iter().any(|s| s.group == g && s.lost.contains(a)), "{} denied {} unreported", g, a);
                    }
                }
            }
        }
    }
}
